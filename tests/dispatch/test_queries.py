"""Reading tasks (dispatch.queries): the API's task list filters, a household's tasks by need,
the proposal under review and the live tasks of the map with what they name loaded, the counts
of the dashboard; on both databases."""

from __future__ import annotations

from resilience.dispatch import queries
from tests import factories


def test_task_lists_and_counts(app, db_session, coordinator):
    flood = factories.event()
    household = factories.household()
    food, water = factories.need(flood, household, "food"), factories.need(flood, household, "water")
    budi = factories.volunteer()
    proposed = factories.task(flood, food, budi)
    offered = factories.task(flood, water, budi, offer=True)

    assert [t.id for t in db_session.scalars(queries.task_query(flood.id))] == [proposed.id, offered.id]
    assert [t.id for t in db_session.scalars(queries.task_query(status="offered"))] == [offered.id]
    assert [t.id for t in queries.proposed_tasks(db_session, flood.id)] == [proposed.id]
    live = queries.live_tasks(db_session, flood.id)
    assert [t.id for t in live] == [proposed.id, offered.id]
    assert live[0].need.household.head_name == "Siti Aminah" and live[0].volunteer.name == "Budi Santoso"
    assert queries.task_counts(db_session, flood.id) == {"proposed": 1, "offered": 1}
    by_need = queries.tasks_by_need(db_session, [food.id, water.id, 999])
    assert {k: [t.id for t in v] for k, v in by_need.items()} == {food.id: [proposed.id], water.id: [offered.id], 999: []}
    assert [t.id for t in queries.volunteer_tasks(db_session, budi.id)] == [offered.id, proposed.id]
    listed = coordinator.get(f"/api/v1/tasks?event={flood.id}&status=proposed").get_json()["items"]
    assert [t["id"] for t in listed] == [proposed.id]
