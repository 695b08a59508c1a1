"""Volunteer roster and group pages: filters, add/edit forms through the API's schemas and
operations (phone normalised, skills checked), the one-click availability switch, opt-out
shown but not editable, bad input stores nothing, CSRF, officials kept out."""

from __future__ import annotations

import re

import pytest


def _roster_names(page: str) -> list[str]:
    table = page.split('<table id="roster">', 1)
    if len(table) < 2:
        return []
    return re.findall(r'<a href="/volunteers/\d+/edit">([^<]+)</a>', table[1].split("</table>", 1)[0])


def _volunteers(seed) -> list[dict]:
    return seed.client.get("/api/v1/volunteers?per_page=500").get_json()["items"]


def _audit(seed, entity_type, entity_id) -> list[dict]:
    return seed.client.get(f"/api/v1/audit?entity_type={entity_type}&entity_id={entity_id}").get_json()["items"]


@pytest.fixture
def roster(seed):
    youth = seed.group()
    pkk = seed.group(name="PKK Bukit Sua", kind="women", base_location=None)
    andi = seed.volunteer(name="Andi Pratama", group_id=youth["id"], skills=["boat", "first_aid"])
    sari = seed.volunteer(name="Sari Wulandari", group_id=pkk["id"], skills=["cooking", "counseling"],
                          availability="busy")
    joko = seed.volunteer(name="Joko Susilo", skills=["driving"], availability="off")
    return {"youth": youth, "pkk": pkk, "andi": andi, "sari": sari, "joko": joko}


def test_roster_filters(web_coordinator, roster):
    def names(query=""):
        response = web_coordinator.get("/volunteers" + query)
        assert response.status_code == 200
        return _roster_names(response.get_data(as_text=True))

    assert names() == ["Andi Pratama", "Joko Susilo", "Sari Wulandari"]
    assert names(f"?group={roster['youth']['id']}") == ["Andi Pratama"]
    assert names("?skill=counseling") == ["Sari Wulandari"]
    assert names("?skill=first_aid") == ["Andi Pratama"]
    assert names("?availability=off") == ["Joko Susilo"]
    assert names("?availability=available&skill=driving") == []
    assert names("?q=wulan") == ["Sari Wulandari"]
    page = web_coordinator.get("/volunteers").get_data(as_text=True)
    assert "perahu" in page and "P3K" in page and "3 relawan" in page
    assert roster["andi"]["phone"] in page  # coordinators see phones


def test_create_volunteer_normalises_phone_and_reads_checkboxes(web_coordinator, roster, seed):
    page = web_coordinator.get("/volunteers/new").get_data(as_text=True)
    assert 'type="checkbox" id="skill-boat" name="skills" value="boat"' in page and 'id="pick-map"' in page
    response = web_coordinator.client.post("/volunteers/new", data={
        "csrf_token": web_coordinator.token, "name": "Budi Santoso", "phone": "0813-5555-0101",
        "group_id": str(roster["youth"]["id"]), "skills": ["boat", "driving"],
        "trainings": "pelatihan kebencanaan 2025\n\nSAR air", "availability": "available", "capacity": "3",
        "lat": "-1,64", "lon": "113.69"})
    assert response.status_code == 302, response.get_data(as_text=True)
    [budi] = [v for v in _volunteers(seed) if v["name"] == "Budi Santoso"]
    assert budi["phone"] == "+6281355550101" and budi["skills"] == ["boat", "driving"]
    assert budi["trainings"] == ["pelatihan kebencanaan 2025", "SAR air"] and budi["capacity"] == 3
    assert budi["group_id"] == roster["youth"]["id"] and budi["location"] == {"lat": -1.64, "lon": 113.69}
    assert budi["sms_opt_out"] is False
    assert "Relawan Budi Santoso ditambahkan" in web_coordinator.get("/volunteers").get_data(as_text=True)


def test_bad_volunteer_input_is_named_and_nothing_is_stored(web_coordinator, roster, seed):
    web_coordinator.get("/volunteers/new")
    count = len(_volunteers(seed))
    response = web_coordinator.client.post("/volunteers/new", data={
        "csrf_token": web_coordinator.token, "name": " ", "phone": "0536-322-1234", "skills": ["boat", "flying"],
        "availability": "sleeping", "capacity": "99", "group_id": "", "lat": "", "lon": "113.69"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for anchor in ("f-name", "f-phone", "f-skills", "f-availability", "f-capacity", "f-lat"):
        assert f'href="#{anchor}"' in page, anchor
    assert "tidak bisa menerima SMS" in page and "Harus antara 0 dan 50." in page and "Wajib diisi." in page
    assert 'value="flying"' not in page and 'id="skill-boat" name="skills" value="boat" checked' in page

    response = web_coordinator.post("/volunteers/new", {"name": "Kembar", "phone": roster["andi"]["phone"],
                                                        "availability": "available", "capacity": "1",
                                                        "lat": "-1.64", "lon": "113.69"})
    assert response.status_code == 409 and "Nomor ini sudah dipakai relawan lain." in response.get_data(as_text=True)
    response = web_coordinator.post("/volunteers/new", {"name": "Tanpa Kelompok", "phone": "0813-5555-0199",
                                                        "availability": "available", "capacity": "1",
                                                        "group_id": "999999", "lat": "-1.64", "lon": "113.69"})
    assert response.status_code == 422 and "Kelompok relawan tidak ditemukan." in response.get_data(as_text=True)
    assert len(_volunteers(seed)) == count


def test_edit_volunteer_stores_changes_and_never_the_opt_out(web_coordinator, roster, seed):
    andi = roster["andi"]
    page = web_coordinator.get(f"/volunteers/{andi['id']}/edit").get_data(as_text=True)
    assert 'value="Andi Pratama"' in page and "menerima SMS" in page and "BERHENTI" in page
    before = len(_audit(seed, "volunteer", andi["id"]))
    response = web_coordinator.client.post(f"/volunteers/{andi['id']}/edit", data={
        "csrf_token": web_coordinator.token, "name": "Andi Pratama", "phone": andi["phone"],
        "group_id": str(roster["pkk"]["id"]), "skills": ["boat"], "trainings": "", "availability": "busy",
        "capacity": "4", "lat": "-1.64", "lon": "113.69", "sms_opt_out": "true"})
    assert response.status_code == 302, response.get_data(as_text=True)
    stored = seed.client.get(f"/api/v1/volunteers/{andi['id']}").get_json()
    assert stored["skills"] == ["boat"] and stored["availability"] == "busy" and stored["capacity"] == 4
    assert stored["group_id"] == roster["pkk"]["id"] and stored["sms_opt_out"] is False
    entries = _audit(seed, "volunteer", andi["id"])
    assert len(entries) == before + 1 and entries[-1]["action"] == "volunteer.updated"
    assert entries[-1]["payload"]["capacity"] == [2, 4] and "phone" not in entries[-1]["payload"]

    response = web_coordinator.post(f"/volunteers/{andi['id']}/edit", {
        "name": "Andi Pratama", "phone": "12", "availability": "busy", "capacity": "4", "lat": "-1.64", "lon": "113.69"})
    assert response.status_code == 422 and "Nomor telepon terlalu pendek" in response.get_data(as_text=True)
    assert seed.client.get(f"/api/v1/volunteers/{andi['id']}").get_json() == stored


def test_opted_out_volunteers_are_marked(web_coordinator, roster, seed):
    sari = roster["sari"]
    reply = seed.client.post("/api/v1/sms/simulate", json={"from": sari["phone"], "body": "BERHENTI"})
    assert reply.status_code in (200, 201), reply.get_json()
    page = web_coordinator.get("/volunteers").get_data(as_text=True)
    row = page.split(f'id="vol-{sari["id"]}"', 1)[1].split("</tr>", 1)[0]
    assert "berhenti (SMS BERHENTI)" in row
    assert "berhenti (SMS BERHENTI)" in web_coordinator.get(f"/volunteers/{sari['id']}/edit").get_data(as_text=True)


def test_availability_switch(web_coordinator, roster, seed):
    joko = roster["joko"]
    page = web_coordinator.get("/volunteers?skill=driving").get_data(as_text=True)
    assert f'action="/volunteers/{joko["id"]}/availability"' in page
    response = web_coordinator.post(f"/volunteers/{joko['id']}/availability",
                                    {"availability": "available", "next": "/volunteers?skill=driving"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/volunteers?skill=driving")
    assert seed.client.get(f"/api/v1/volunteers/{joko['id']}").get_json()["availability"] == "available"
    assert "Joko Susilo sekarang tersedia" in web_coordinator.get("/volunteers").get_data(as_text=True)
    assert _audit(seed, "volunteer", joko["id"])[-1]["payload"]["availability"] == ["off", "available"]

    response = web_coordinator.post(f"/volunteers/{joko['id']}/availability",
                                    {"availability": "asleep", "next": "https://evil.example/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/volunteers")
    assert seed.client.get(f"/api/v1/volunteers/{joko['id']}").get_json()["availability"] == "available"
    assert "Pilih salah satu" in web_coordinator.get("/volunteers").get_data(as_text=True)


def test_groups_page(web_coordinator, roster, seed):
    page = web_coordinator.get("/groups").get_data(as_text=True)
    assert "Karang Taruna Mungku Baru" in page and "pemuda / karang taruna" in page and "PKK Bukit Sua" in page
    response = web_coordinator.post("/groups", {"name": "Relawan Gereja Tangkiling", "kind": "community",
                                                "leader": "Pdt. Yosua", "lat": "-1.70", "lon": "113.66"})
    assert response.status_code == 302
    groups = seed.client.get("/api/v1/groups").get_json()["items"]
    [new] = [g for g in groups if g["name"] == "Relawan Gereja Tangkiling"]
    assert new["kind"] == "community" and new["leader"] == "Pdt. Yosua"
    assert new["base_location"] == {"lat": -1.70, "lon": 113.66}

    for form, status, text in (
        ({"name": "karang taruna mungku baru", "kind": "youth"}, 409, "Sudah ada kelompok bernama"),
        ({"name": "Setengah Titik", "kind": "ngo", "lat": "-1.7", "lon": ""}, 422, "Isi lintang dan bujur"),
        ({"name": "", "kind": "club"}, 422, "Pilih salah satu"),
    ):
        response = web_coordinator.post("/groups", form)
        assert response.status_code == status and text in response.get_data(as_text=True), form
    assert len(seed.client.get("/api/v1/groups").get_json()["items"]) == 3


def test_group_edit_page(web_coordinator, roster, seed):
    groups = {g["name"]: g for g in seed.client.get("/api/v1/groups").get_json()["items"]}
    group = groups["Karang Taruna Mungku Baru"]
    listing = web_coordinator.get("/groups").get_data(as_text=True)
    assert f'href="/groups/{group["id"]}/edit"' in listing
    page = web_coordinator.get(f"/groups/{group['id']}/edit").get_data(as_text=True)
    assert 'value="Karang Taruna Mungku Baru"' in page and 'id="pick-map"' in page

    form = {"name": "Karang Taruna Mungku Baru", "kind": "youth", "leader": "Bu Sari", "lat": "-1.64", "lon": "113,69"}
    assert web_coordinator.post(f"/groups/{group['id']}/edit", form).status_code == 302
    stored = seed.client.get(f"/api/v1/groups/{group['id']}").get_json()
    assert stored["leader"] == "Bu Sari" and stored["base_location"] == {"lat": -1.64, "lon": 113.69}
    assert "Perubahan kelompok Karang Taruna Mungku Baru disimpan" in web_coordinator.get("/groups").get_data(as_text=True)

    # another group's name, half a point: the form says so, keeps what was typed, stores nothing
    for bad, status, text in (({"name": "pkk bukit sua"}, 409, "Sudah ada kelompok bernama"),
                              ({"lat": "-1.7", "lon": ""}, 422, "Isi lintang dan bujur")):
        response = web_coordinator.post(f"/groups/{group['id']}/edit", {**form, "leader": "Pak Budi", **bad})
        body = response.get_data(as_text=True)
        assert response.status_code == status and text in body and 'value="Pak Budi"' in body, bad
    assert seed.client.get(f"/api/v1/groups/{group['id']}").get_json() == stored

    # clearing the base point is a change too; posting it again changes nothing
    cleared = {**form, "lat": "", "lon": ""}
    assert web_coordinator.post(f"/groups/{group['id']}/edit", cleared).status_code == 302
    assert seed.client.get(f"/api/v1/groups/{group['id']}").get_json()["base_location"] is None
    audit = f"/api/v1/audit?entity_type=volunteer_group&entity_id={group['id']}"
    before = seed.client.get(audit).get_json()["total"]
    web_coordinator.post(f"/groups/{group['id']}/edit", cleared)
    assert seed.client.get(audit).get_json()["total"] == before
    assert "Tidak ada yang berubah" in web_coordinator.get("/groups").get_data(as_text=True)
    assert web_coordinator.get("/groups/9999/edit").status_code == 404


def test_roster_posts_need_csrf(web_coordinator, roster, seed):
    joko = roster["joko"]
    count = len(_volunteers(seed))
    assert web_coordinator.post(f"/volunteers/{joko['id']}/availability", {"availability": "available"},
                                csrf=False).status_code == 400
    assert web_coordinator.post("/volunteers/new", {"name": "X", "phone": "0813-5555-0102", "availability": "available",
                                                    "capacity": "1", "lat": "-1.6", "lon": "113.6"},
                                csrf=False).status_code == 400
    assert web_coordinator.post("/groups", {"name": "Y", "kind": "ngo"}, csrf=False).status_code == 400
    group = seed.client.get("/api/v1/groups").get_json()["items"][0]
    assert web_coordinator.post(f"/groups/{group['id']}/edit", {"name": "Y", "kind": "ngo"},
                                csrf=False).status_code == 400
    assert seed.client.get(f"/api/v1/volunteers/{joko['id']}").get_json()["availability"] == "off"
    assert len(_volunteers(seed)) == count and len(seed.client.get("/api/v1/groups").get_json()["items"]) == 2


def test_officials_have_no_roster(web_official, roster, seed):
    group = seed.client.get("/api/v1/groups").get_json()["items"][0]
    for path in ("/volunteers", "/volunteers/new", f"/volunteers/{roster['andi']['id']}/edit", "/groups",
                 f"/groups/{group['id']}/edit"):
        response = web_official.get(path)
        assert response.status_code == 403, path
        assert roster["andi"]["phone"] not in response.get_data(as_text=True)
    web_official.get("/events")
    assert web_official.post(f"/volunteers/{roster['joko']['id']}/availability",
                             {"availability": "available"}).status_code == 403
    assert web_official.post("/groups", {"name": "Z", "kind": "ngo"}).status_code == 403
    assert web_official.post(f"/groups/{group['id']}/edit", {"name": "Z", "kind": "ngo"}).status_code == 403
    assert seed.client.get(f"/api/v1/groups/{group['id']}").get_json()["name"] == group["name"]
    assert seed.client.get(f"/api/v1/volunteers/{roster['joko']['id']}").get_json()["availability"] == "off"


def test_roster_pages(web_coordinator, roster, monkeypatch):
    import resilience.web.roster as module

    monkeypatch.setattr(module, "ROSTER_PER_PAGE", 2)
    first = web_coordinator.get("/volunteers").get_data(as_text=True)
    assert _roster_names(first) == ["Andi Pratama", "Joko Susilo"] and "Halaman 1 dari 2" in first
    assert _roster_names(web_coordinator.get("/volunteers?page=2").get_data(as_text=True)) == ["Sari Wulandari"]
    assert _roster_names(web_coordinator.get("/volunteers?page=5").get_data(as_text=True)) == ["Sari Wulandari"]


def test_the_preferred_channel_is_set_in_the_form_and_shown(web_coordinator, roster, seed):
    andi = roster["andi"]
    page = web_coordinator.get(f"/volunteers/{andi['id']}/edit").get_data(as_text=True)
    assert '<option value="sms" selected>SMS</option>' in page and "WhatsApp belum disiapkan" in page
    response = web_coordinator.post(f"/volunteers/{andi['id']}/edit", {
        "name": "Andi Pratama", "phone": andi["phone"], "skills": ["boat"], "availability": "available",
        "capacity": "2", "lat": "-1.64", "lon": "113.69", "preferred_channel": "whatsapp"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert seed.client.get(f"/api/v1/volunteers/{andi['id']}").get_json()["preferred_channel"] == "whatsapp"
    refused = web_coordinator.post(f"/volunteers/{andi['id']}/edit", {
        "name": "Andi Pratama", "phone": andi["phone"], "availability": "available", "capacity": "2",
        "lat": "-1.64", "lon": "113.69", "preferred_channel": "merpati"})
    assert refused.status_code == 422 and 'id="f-preferred_channel"' in refused.get_data(as_text=True)
    assert 'aria-invalid="true"' in refused.get_data(as_text=True).split('id="f-preferred_channel"')[1][:200]
    roster_page = web_coordinator.get("/volunteers").get_data(as_text=True)
    assert roster_page.split(f'id="vol-{andi["id"]}"')[1].split("</tr>")[0].count("WhatsApp") == 1
    conversation = web_coordinator.get(f"/volunteers/{andi['id']}/sms").get_data(as_text=True)
    assert "Pesan lewat: <strong>WhatsApp</strong>" in conversation
