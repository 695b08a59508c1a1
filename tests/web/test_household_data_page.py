"""The household's personal-data page (UU PDP): everything held about it, readable in Bahasa
Indonesia and printable, its JSON, and erasure by an admin only, with a reason and the
household's number typed again; officials get none of it."""

from __future__ import annotations

import json
import re

import pytest

NAME, NIK, PHONE = "Siti Nurhayati Wulandari", "6271054507801234", "+6281277776543"


@pytest.fixture
def household(seed):
    event = seed.event()
    h = seed.household(head_name=NAME, nik=NIK, phone="0812-7777-6543", landmark="dekat langgar Al-Ikhlas")
    seed.need(event["id"], h["id"], "food", notes="nenek tidak bisa jalan")
    return h


def test_a_coordinator_reads_and_downloads_everything_held(web_coordinator, household):
    response = web_coordinator.get(f"/households/{household['id']}/data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert f"Data pribadi yang disimpan tentang rumah tangga #{household['id']}" in page
    for value in (NAME, NIK, PHONE, "dekat langgar Al-Ikhlas", "nenek tidak bisa jalan"):
        assert value in page, value
    # the log's sealed values, opened for staff, beside the entry that holds them
    created = re.search(r'<li id="pd-entry-\d+"><p><strong>#\d+</strong>[^<]*· <code>household.created</code>(.*?)</li>',
                        page, re.S)
    assert created and NAME in created.group(1)
    assert "data-print" in page and "Cetak" in page and "Hapus data pribadi" not in page  # not an admin
    download = web_coordinator.get(f"/households/{household['id']}/data.json")
    assert download.headers["Content-Disposition"] == f'attachment; filename="household-{household["id"]}.json"'
    doc = json.loads(download.get_data(as_text=True))
    assert doc["household"]["nik"] == NIK and doc["needs"][0]["notes"] == "nenek tidak bisa jalan"
    # linked from the household's page
    assert f'href="/households/{household["id"]}/data"' in web_coordinator.get(
        f"/households/{household['id']}").get_data(as_text=True)


def test_officials_get_none_of_it_and_coordinators_cannot_erase(web_official, web_coordinator, household):
    for path in ("data", "data.json"):
        assert web_official.get(f"/households/{household['id']}/{path}").status_code == 403
    web_coordinator.get(f"/households/{household['id']}/data")
    refused = web_coordinator.post(f"/households/{household['id']}/erase",
                                   {"reason": "subject_request", "confirm": str(household["id"])})
    assert refused.status_code == 403
    assert NAME in web_coordinator.get(f"/households/{household['id']}/data").get_data(as_text=True)


def test_an_admin_erases_with_a_reason_and_the_number_typed_again(web_admin, household, coordinator):
    path = f"/households/{household['id']}/data"
    page = web_admin.get(path).get_data(as_text=True)
    assert "Hapus data pribadi rumah tangga ini" in page and 'id="f-confirm"' in page
    wrong = web_admin.post(f"/households/{household['id']}/erase", {"reason": "because", "confirm": "12345"})
    refused = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and 'href="#f-reason"' in refused and 'href="#f-confirm"' in refused
    assert f"Ketik nomor rumah tangga {household['id']} untuk mengonfirmasi." in refused
    assert NAME in web_admin.get(path).get_data(as_text=True)  # nothing erased

    done = web_admin.post(f"/households/{household['id']}/erase",
                          {"reason": "subject_request", "confirm": f"#{household['id']}"})
    assert done.status_code == 302 and done.headers["Location"].endswith(path)
    after = web_admin.get(path).get_data(as_text=True)
    assert f"Data pribadi rumah tangga #{household['id']} sudah dihapus" in after
    assert 'id="erased-notice"' in after and 'id="f-confirm"' not in after
    for value in (NAME, NIK, PHONE, "dekat langgar Al-Ikhlas", "nenek tidak bisa jalan"):
        assert value not in after, value
    assert "tersegel" in after
    assert coordinator.get("/api/v1/audit/verify").get_json()["ok"] is True
    again = web_admin.post(f"/households/{household['id']}/erase",
                           {"reason": "subject_request", "confirm": str(household["id"])})
    assert again.status_code == 409 and "sudah dihapus" in again.get_data(as_text=True)


def test_an_unknown_household_is_a_404_page(web_coordinator):
    assert web_coordinator.get("/households/999999/data").status_code == 404
