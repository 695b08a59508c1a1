from flask_smorest import Blueprint

from resilience.core.api import PageArgs, list_schema, paginate
from resilience.extensions import db
from resilience.dispatch import operations
from resilience.dispatch.queries import task_query
from resilience.dispatch.schemas import TaskPatchSchema, TaskQuery, TaskSchema

blp = Blueprint("tasks", __name__, url_prefix="/tasks", description="Tasks: a need assigned to a volunteer")


@blp.get("")
@blp.arguments(TaskQuery, location="query", as_kwargs=True)
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(TaskSchema, "TaskList"))
def list_tasks(page, event=None, status=None, volunteer=None):
    return paginate(db.session, task_query(event, status, volunteer), page)


@blp.get("/<int:task_id>")
@blp.response(200, TaskSchema)
def get_task(task_id):
    return operations.get_task(db.session, task_id)


@blp.patch("/<int:task_id>")
@blp.arguments(TaskPatchSchema)
@blp.response(200, TaskSchema)
def patch_task(data, task_id):
    """Cancel (``{"status": "cancelled", "note": "..."}``, the note optional), mark done on the
    volunteer's behalf (``{"status": "done", "note": "why"}``: an accepted task; the volunteer is
    told by SMS) or reassign (``{"volunteer_id": 9}``: the answer is the new task; the old one is
    cancelled). Officials cannot change tasks (403)."""
    task = operations.get_task(db.session, task_id)
    if "volunteer_id" in data:
        task = operations.reassign(db.session, task, data["volunteer_id"])
    elif data["status"] == "done":
        operations.done_on_behalf(db.session, task, data.get("note"))
    else:
        operations.cancel(db.session, task, data.get("note"))
    return task
