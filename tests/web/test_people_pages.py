"""Household and need pages: the list's filters, search, sorting and paging against data the
test builds; edits stored and audited; bad input answered with the field's message and nothing
stored; CSRF; and officials kept away from personal data."""

from __future__ import annotations

import re

import pytest

from resilience.households.models import VULNERABILITY_FIELDS


BUKIT_SUA = {"lat": -1.6863, "lon": 113.6481}  # 62.71.05.1007, inside the event's box
PETUK_BUKIT = {"lat": -1.8522, "lon": 113.6799}  # 62.71.05.1001, outside the box
PANJEHANG = {"lat": -1.7471, "lon": 113.7574}  # 62.71.05.1002, outside the box
NIK = "6271054507800001"
KK = "6271050101090003"


def _names(page: str) -> list[str]:
    table = page.split('<table id="households">', 1)
    if len(table) < 2:
        return []
    return re.findall(r'<a href="/households/\d+">([^<]+)</a>', table[1].split("</table>", 1)[0])


def _audit(seed, entity_type, entity_id) -> list[dict]:
    response = seed.client.get(f"/api/v1/audit?entity_type={entity_type}&entity_id={entity_id}&per_page=500")
    assert response.status_code == 200
    return response.get_json()["items"]


@pytest.fixture
def registry(seed):
    """Four households in two events: the list's filters must pick the right ones."""
    flood = seed.event()
    other = seed.event(name="Banjir Kahayan", affected_area=None)
    siti = seed.household()  # Mungku Baru, 2 vulnerable members, NIK and KK
    rahmat = seed.household(head_name="Rahmat Hidayat", nik=None, kk_number=None, phone=None,
                            address="Jl. Tjilik Riwut km 30", landmark="warung biru", location=BUKIT_SUA,
                            members=3, elderly=0, children_under5=0)
    yohana = seed.household(head_name="Yohana Dewi", nik=None, kk_number=None, address="Jl. Petuk",
                            landmark="", location=PETUK_BUKIT, members=2, elderly=0, children_under5=0)
    bambang = seed.household(head_name="Bambang", nik=None, kk_number=None, address="", landmark="",
                             location=PANJEHANG, members=1, elderly=0, children_under5=0)
    needs = {
        "siti_evacuation": seed.need(flood["id"], siti["id"], "evacuation"),  # 5
        "siti_food": seed.need(flood["id"], siti["id"], "food"),  # 4
        "rahmat_water": seed.need(flood["id"], rahmat["id"], "water"),  # 3, then done
        "yohana_medical": seed.need(other["id"], yohana["id"], "medical"),  # 4
    }
    done = seed.client.patch(f"/api/v1/needs/{needs['rahmat_water']['id']}", json={"status": "done"})
    assert done.status_code == 200
    assert [needs[k]["priority"] for k in ("siti_evacuation", "siti_food", "yohana_medical")] == [5, 4, 4]
    return {"flood": flood, "other": other, "siti": siti, "rahmat": rahmat, "yohana": yohana,
            "bambang": bambang, **needs}


def test_list_filters_search_and_sort(web_coordinator, registry, seed):
    r = registry
    flood = r["flood"]["id"]

    def names(query=""):
        response = web_coordinator.get("/households" + query)
        assert response.status_code == 200
        return _names(response.get_data(as_text=True))

    # Priority first (live needs only), then name; no live need sorts last.
    assert names() == ["Siti Aminah", "Yohana Dewi", "Bambang", "Rahmat Hidayat"]
    assert names("?sort=name") == ["Bambang", "Rahmat Hidayat", "Siti Aminah", "Yohana Dewi"]
    assert names(f"?event={flood}") == ["Siti Aminah", "Rahmat Hidayat"]  # Bambang is outside, no need
    assert names(f"?event={r['other']['id']}") == ["Yohana Dewi"]
    assert names(f"?event={flood}&area=62.71.05.1007") == ["Rahmat Hidayat"]
    assert names("?area=62.71.05") == ["Siti Aminah", "Yohana Dewi", "Bambang", "Rahmat Hidayat"]  # the kecamatan
    assert names("?area=62.71.05.1002") == ["Bambang"]
    assert names("?area=99.99") == []
    assert names("?category=evacuation") == ["Siti Aminah"]
    assert names("?category=medical") == ["Yohana Dewi"]
    assert names("?status=done") == ["Rahmat Hidayat"]
    assert names(f"?status=live&event={flood}") == ["Siti Aminah"]
    assert names("?priority=4") == ["Siti Aminah", "Yohana Dewi"]
    assert names("?priority=4&category=food") == ["Siti Aminah"]
    assert names("?vulnerable=1") == ["Siti Aminah"]
    assert names("?q=masjid") == ["Siti Aminah"]
    assert names("?q=TJILIK") == ["Rahmat Hidayat"]
    assert names("?q=aminah") == ["Siti Aminah"]
    assert names("?q=%25") == []  # LIKE wildcards are literal
    assert names(f"?q={NIK}") == ["Siti Aminah"]
    assert names("?q=6271-0501-0109-0003") == ["Siti Aminah"]  # the KK, typed with dashes
    assert names("?q=6271054507800002") == []
    # a changed KK number is found by its new digest, the old one no longer
    new_kk = "6271050101090009"
    patched = seed.client.patch(f"/api/v1/households/{r['siti']['id']}", json={"kk_number": new_kk})
    assert patched.status_code == 200, patched.get_json()
    assert names(f"?q={new_kk}") == ["Siti Aminah"] and names(f"?q={KK}") == []

    page = web_coordinator.get("/households?category=food").get_data(as_text=True)
    assert "makanan · P4 · terbuka" in page and "evakuasi" not in page.split('<table id="households">')[1]
    assert "1 rumah tangga" in page


def test_list_pages(web_coordinator, registry, monkeypatch):
    import resilience.web.households as module

    monkeypatch.setattr(module, "PER_PAGE", 3)
    first = web_coordinator.get("/households?sort=name").get_data(as_text=True)
    assert _names(first) == ["Bambang", "Rahmat Hidayat", "Siti Aminah"]
    assert "Halaman 1 dari 2" in first and "4 rumah tangga" in first
    link = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "sort=name" in link and "page=2" in link
    second = web_coordinator.get(link).get_data(as_text=True)
    assert _names(second) == ["Yohana Dewi"] and 'rel="prev"' in second
    assert _names(web_coordinator.get("/households?sort=name&page=9").get_data(as_text=True)) == ["Yohana Dewi"]
    refused = web_coordinator.get("/households?sort=name&page=x")  # not read as page 1: said so
    assert refused.status_code == 422 and "<code>page=x</code>" in refused.get_data(as_text=True)


def test_detail_shows_needs_and_tasks(web_coordinator, registry, seed):
    r = registry
    volunteer = seed.volunteer(name="Budi Santoso", skills=["boat"])
    proposal = seed.client.post(f"/api/v1/events/{r['flood']['id']}/match", json={}).get_json()
    codes = {t["need_id"]: t["code"] for t in proposal["tasks"]}
    assert r["siti_evacuation"]["id"] in codes
    page = web_coordinator.get(f"/households/{r['siti']['id']}").get_data(as_text=True)
    assert NIK in page and KK in page and "+6281234567890" in page
    assert "evakuasi" in page and "makanan" in page and "Banjir Rungan" in page
    assert codes[r["siti_evacuation"]["id"]] in page and volunteer["name"] in page
    assert web_coordinator.get("/households/99999").status_code == 404


def test_edit_is_stored_as_a_patch_and_audited(web_coordinator, registry, seed):
    siti = registry["siti"]
    form_page = web_coordinator.get(f"/households/{siti['id']}/edit").get_data(as_text=True)
    assert f'value="{NIK}"' in form_page and 'id="pick-map"' in form_page
    before = len(_audit(seed, "household", siti["id"]))
    response = web_coordinator.post(f"/households/{siti['id']}/edit", {
        "head_name": "Siti Aminah", "phone": "0813 4567 8901", "nik": NIK, "kk_number": "",
        "address": "Jl. Mungku Baru RT 02", "landmark": "sebelah sekolah", "members": "6",
        "elderly": "0", "children_under5": "", "pregnant_or_lactating": "0", "disabled": "0", "chronically_ill": "0",
        "lat": str(BUKIT_SUA["lat"]), "lon": str(BUKIT_SUA["lon"]).replace(".", ","),
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    stored = seed.client.get(f"/api/v1/households/{siti['id']}").get_json()
    assert stored["members"] == 6 and stored["elderly"] == 0 and stored["children_under5"] == 0
    assert stored["phone"] == "+6281345678901" and stored["kk_number"] is None and stored["nik"] == NIK
    assert stored["landmark"] == "sebelah sekolah" and stored["location"] == BUKIT_SUA
    assert stored["admin_area"]["code"] == "62.71.05.1007"
    # No vulnerable members left: the evacuation need's derived priority follows (5 → 4).
    need = seed.client.get(f"/api/v1/needs/{registry['siti_evacuation']['id']}").get_json()
    assert need["priority"] == 4

    entries = _audit(seed, "household", siti["id"])
    assert len(entries) == before + 1
    change = entries[-1]
    assert change["action"] == "household.updated" and change["actor"] == "coordinator:koordinator.web@posko.test"
    assert change["payload"]["members"] == [5, 6] and set(change["payload"]["landmark"]) == {"sealed"}
    assert change["personal"]["landmark"] == ["dekat masjid", "sebelah sekolah"]  # staff read it
    assert change["payload"]["phone"] != [siti["phone"], "+6281345678901"]  # redacted, never the numbers
    assert "nik" not in change["payload"] and "address" not in change["payload"]  # unchanged fields stay out
    # the vulnerable members changed: the entry says which counts changed, never the counts
    changed = [f for f in VULNERABILITY_FIELDS if f in change["payload"]]
    assert changed and all(change["payload"][f] == "<redacted>" for f in changed)
    page = web_coordinator.get(f"/households/{siti['id']}").get_data(as_text=True)
    assert "Perubahan data Siti Aminah disimpan" in page and "Bukit Sua" in page

    # Posting the form unchanged stores nothing and says so.
    response = web_coordinator.post(f"/households/{siti['id']}/edit", {
        **{k: (str(v) if v is not None else "") for k, v in stored.items() if k in (
            "head_name", "phone", "nik", "address", "landmark", "members", "elderly", "children_under5",
            "pregnant_or_lactating", "disabled", "chronically_ill")},
        "kk_number": "", "lat": str(BUKIT_SUA["lat"]), "lon": str(BUKIT_SUA["lon"])})
    assert response.status_code == 302
    assert len(_audit(seed, "household", siti["id"])) == before + 1
    assert "Tidak ada yang berubah" in web_coordinator.get(f"/households/{siti['id']}").get_data(as_text=True)


def _edit_form(household, **overrides):
    form = {"head_name": household["head_name"], "phone": household["phone"] or "", "nik": household["nik"] or "",
            "kk_number": household["kk_number"] or "", "address": household["address"],
            "landmark": household["landmark"], "members": str(household["members"]),
            "elderly": str(household["elderly"]), "children_under5": str(household["children_under5"]),
            "pregnant_or_lactating": "0", "disabled": "0", "chronically_ill": "0",
            "lat": str(household["location"]["lat"]), "lon": str(household["location"]["lon"])}
    form.update(overrides)
    return form


def test_bad_edits_name_each_field_and_store_nothing(web_coordinator, registry, seed):
    siti = registry["siti"]
    path = f"/households/{siti['id']}/edit"
    before = seed.client.get(f"/api/v1/households/{siti['id']}").get_json()
    audit_before = len(_audit(seed, "household", siti["id"]))
    web_coordinator.get(path)

    response = web_coordinator.post(path, _edit_form(siti, head_name="  ", nik="123", phone="12", lat="abc",
                                                     members="x"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for anchor in ("f-head_name", "f-nik", "f-phone", "f-lat", "f-members"):
        assert f'href="#{anchor}"' in page, anchor
    assert "Tidak boleh kosong." in page and "NIK harus 16 digit; yang diisi 3 digit." in page
    assert "Nomor telepon terlalu pendek" in page and "Harus angka" in page and "Harus bilangan bulat." in page
    assert 'aria-invalid="true"' in page and 'value="abc"' in page  # the typed values are kept

    # Checked by the operation against the stored members: more elderly than members.
    response = web_coordinator.post(path, _edit_form(siti, elderly="9"))
    assert response.status_code == 422
    assert "9 lebih banyak dari jumlah anggota (5)." in response.get_data(as_text=True)
    # A point outside Indonesia, and swapped coordinates.
    response = web_coordinator.post(path, _edit_form(siti, lat="35.68", lon="139.69"))
    assert response.status_code == 422 and "di luar Indonesia" in response.get_data(as_text=True)
    response = web_coordinator.post(path, _edit_form(siti, lat="113.6858", lon="-1.6346"))
    assert response.status_code == 422 and "tertukar" in response.get_data(as_text=True)
    # Another household's NIK: a conflict, shown at the NIK field.
    rahmat = registry["rahmat"]
    web_coordinator.get(f"/households/{rahmat['id']}/edit")
    response = web_coordinator.post(f"/households/{rahmat['id']}/edit", _edit_form(rahmat, nik=NIK))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert f"NIK ini sudah terdaftar pada rumah tangga lain (#{siti['id']})" in page and 'href="#f-nik"' in page

    # English on request.
    web_coordinator.get("/lang/en")
    response = web_coordinator.post(path, _edit_form(siti, elderly="9"))
    page = response.get_data(as_text=True)
    assert "9 is more than the number of members (5)." in page and "Please check these fields" in page
    response = web_coordinator.post(path, _edit_form(siti, nik="62710545078000"))
    assert "NIK must be 16 digits; 14 given." in response.get_data(as_text=True)
    web_coordinator.get("/lang/id")

    assert seed.client.get(f"/api/v1/households/{siti['id']}").get_json() == before
    assert seed.client.get(f"/api/v1/households/{rahmat['id']}").get_json()["nik"] is None
    assert len(_audit(seed, "household", siti["id"])) == audit_before


def test_needs_are_added_and_edited_with_a_reason_for_an_override(web_coordinator, registry, seed):
    r = registry
    siti, flood = r["siti"], r["flood"]
    page = web_coordinator.get(f"/households/{siti['id']}").get_data(as_text=True)
    assert 'id="need-form"' in page and "Banjir Kahayan" in page
    path = f"/households/{siti['id']}/needs"

    response = web_coordinator.post(path, {"event_id": str(flood["id"]), "category": "medical", "priority": "2"})
    assert response.status_code == 422
    assert "Tulis alasan untuk memakai prioritas 2, bukan prioritas otomatis 5." in response.get_data(as_text=True)
    response = web_coordinator.post(path, {"event_id": str(flood["id"]), "category": "evacuation"})
    assert response.status_code == 409
    assert "sudah punya kebutuhan evakuasi" in response.get_data(as_text=True)
    response = web_coordinator.post(path, {"event_id": "", "category": "teleport"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'href="#f-event_id"' in page and 'href="#f-category"' in page
    needs = seed.client.get(f"/api/v1/events/{flood['id']}/needs?household={siti['id']}").get_json()
    assert needs["total"] == 2  # none of the bad posts stored a need

    response = web_coordinator.post(path, {"event_id": str(flood["id"]), "category": "medical", "priority": "2",
                                           "priority_reason": "sudah ditangani puskesmas", "notes": "demam"})
    assert response.status_code == 302
    [medical] = [n for n in seed.client.get(f"/api/v1/events/{flood['id']}/needs?household={siti['id']}")
                 .get_json()["items"] if n["category"] == "medical"]
    assert medical["priority"] == 2 and medical["priority_overridden"] is True and medical["notes"] == "demam"
    assert medical["reporter"] == "koordinator.web@posko.test"

    edit = f"/needs/{medical['id']}/edit"
    page = web_coordinator.get(edit).get_data(as_text=True)
    assert "Otomatis (5)" in page and 'value="sudah ditangani puskesmas"' in page
    response = web_coordinator.post(edit, {"status": "open", "priority": "1", "priority_reason": " ", "notes": "demam"})
    assert response.status_code == 422 and 'href="#f-priority_reason"' in response.get_data(as_text=True)
    assert seed.client.get(f"/api/v1/needs/{medical['id']}").get_json()["priority"] == 2
    # Back to the derived priority, and done.
    response = web_coordinator.post(edit, {"status": "done", "priority": "", "priority_reason": "", "notes": "sembuh"})
    assert response.status_code == 302
    stored = seed.client.get(f"/api/v1/needs/{medical['id']}").get_json()
    assert stored["status"] == "done" and stored["priority"] == 5 and stored["priority_overridden"] is False
    assert stored["notes"] == "sembuh"
    actions = [e["action"] for e in _audit(seed, "need", medical["id"])]
    assert actions[0] == "need.created" and actions[-1] == "need.done"
    # done → assigned is not a manual step: refused, nothing changes.
    response = web_coordinator.post(edit, {"status": "assigned", "priority": "", "priority_reason": "", "notes": ""})
    assert response.status_code == 409
    assert "Status tidak bisa diubah dari selesai menjadi ditugaskan." in response.get_data(as_text=True)
    assert seed.client.get(f"/api/v1/needs/{medical['id']}").get_json()["status"] == "done"


def test_new_household_form_keeps_working(web_coordinator, registry, seed):
    flood = registry["flood"]
    path = f"/events/{flood['id']}/households/new"
    web_coordinator.get(path)
    response = web_coordinator.post(path, {"head_name": "Ani", "nik": NIK, "lat": "-1.65", "lon": "113.67",
                                           "members": "2", "category": "food"})
    assert response.status_code == 409 and "NIK ini sudah terdaftar" in response.get_data(as_text=True)
    response = web_coordinator.post(path, {"head_name": "Ani", "lat": "", "lon": "", "members": "2", "category": "food"})
    # neither a point nor a kelurahan: the message is beside the kelurahan picker
    assert response.status_code == 422 and 'href="#f-admin_area"' in response.get_data(as_text=True)
    assert seed.client.get("/api/v1/households?q=ani").get_json()["total"] == 0
    response = web_coordinator.post(path, {"head_name": "Ani", "lat": "-1.65", "lon": "113.67", "members": "2",
                                           "category": "food", "phone": "0812 9999 0000"})
    assert response.status_code == 302
    [ani] = seed.client.get("/api/v1/households?q=ani").get_json()["items"]
    [need] = seed.client.get(f"/api/v1/events/{flood['id']}/needs?household={ani['id']}").get_json()["items"]
    assert need["category"] == "food" and need["reporter"] == "koordinator.web@posko.test"


def test_posts_need_the_csrf_token(web_coordinator, registry, seed):
    siti = registry["siti"]
    before = seed.client.get(f"/api/v1/households/{siti['id']}").get_json()
    response = web_coordinator.post(f"/households/{siti['id']}/edit", _edit_form(siti, members="7"), csrf=False)
    assert response.status_code == 400
    response = web_coordinator.post(f"/households/{siti['id']}/edit",
                                    {**_edit_form(siti, members="7"), "csrf_token": "forged"}, csrf=False)
    assert response.status_code == 400
    response = web_coordinator.post(f"/households/{siti['id']}/needs",
                                    {"event_id": str(registry["flood"]["id"]), "category": "water"}, csrf=False)
    assert response.status_code == 400
    response = web_coordinator.post(f"/needs/{registry['siti_food']['id']}/edit",
                                    {"status": "cancelled", "priority": "", "notes": ""}, csrf=False)
    assert response.status_code == 400
    assert seed.client.get(f"/api/v1/households/{siti['id']}").get_json() == before
    assert seed.client.get(f"/api/v1/needs/{registry['siti_food']['id']}").get_json()["status"] == "open"
    assert seed.client.get(f"/api/v1/events/{registry['flood']['id']}/needs").get_json()["total"] == 3


def test_officials_do_not_reach_personal_data(web_official, registry, seed):
    siti = registry["siti"]
    for path in ("/households", f"/households?q={NIK}", f"/households/{siti['id']}",
                 f"/households/{siti['id']}/edit", f"/needs/{registry['siti_food']['id']}/edit"):
        response = web_official.get(path)
        assert response.status_code == 403, path
        page = response.get_data(as_text=True)
        page = re.sub(r'href="[^"]*"', "", page)  # the language links repeat the asked URL
        assert NIK not in page and "Siti Aminah" not in page and "masjid" not in page
    web_official.get("/events")
    assert web_official.post(f"/households/{siti['id']}/edit", _edit_form(siti, members="7")).status_code == 403
    assert web_official.post(f"/households/{siti['id']}/needs", {
        "event_id": str(registry["flood"]["id"]), "category": "water"}).status_code == 403
    assert seed.client.get(f"/api/v1/households/{siti['id']}").get_json()["members"] == 5
    menu = web_official.get("/events").get_data(as_text=True)
    assert 'href="/households"' not in menu
    dashboard = web_official.get(f"/events/{registry['flood']['id']}").get_data(as_text=True)
    assert "/households?event=" not in dashboard


def test_anonymous_is_sent_to_login(web, registry):
    response = web.get(f"/households/{registry['siti']['id']}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_menu_and_dashboard_link_to_the_list(web_coordinator, registry):
    menu = web_coordinator.get("/events").get_data(as_text=True)
    assert 'href="/households"' in menu and 'href="/groups"' in menu
    flood = registry["flood"]["id"]
    dashboard = web_coordinator.get(f"/events/{flood}").get_data(as_text=True)
    assert f'href="/households?event={flood}"' in dashboard
    listing = web_coordinator.get(f"/households?event={flood}").get_data(as_text=True)
    assert f'href="/events/{flood}/households/new"' in listing
    assert "/households/new" not in web_coordinator.get("/households").get_data(as_text=True)


def test_a_refused_new_household_stores_nothing(web_coordinator, registry, seed):
    """The household is written before its need is refused (a closed event): the view does not
    commit, and the 409 it answers makes the request's transaction roll both back."""
    closed = seed.event(name="Banjir Lama", ended_at="2026-03-12T06:00:00Z")
    assert closed["status"] == "closed"
    path = f"/events/{closed['id']}/households/new"
    web_coordinator.get(path)
    response = web_coordinator.post(path, {"head_name": "Wulandari", "lat": "-1.65", "lon": "113.67", "members": "3",
                                           "category": "food"})
    assert response.status_code == 409 and 'href="#f-event_id"' in response.get_data(as_text=True)
    assert seed.client.get("/api/v1/households?q=wulandari").get_json()["total"] == 0



def test_an_official_cannot_search_households_by_name(seed, web_official, web_coordinator):
    seed.household(head_name="Rahmat Hidayat", nik=None, kk_number=None)
    seed.household(nik=None, kk_number=None, phone=None)
    staff = web_coordinator.get("/households?q=rahmat").get_data(as_text=True)
    assert "Rahmat Hidayat" in staff and "Siti Aminah" not in staff
    # the registry page is the staff's: an official is refused, search or not
    assert web_official.get("/households?q=rahmat").status_code == 403
