from flask_smorest import Blueprint

from resilience.core.api import PageArgs, list_schema, paginate
from resilience.extensions import db
from resilience.dispatch import inbox_actions, operations
from resilience.dispatch.queries import task_query
from resilience.dispatch.schemas import ApplyReplySchema, TaskPatchSchema, TaskQuery, TaskSchema

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


@blp.post("/<int:task_id>/apply-reply")
@blp.arguments(ApplyReplySchema)
@blp.response(200, TaskSchema)
def apply_reply(data, task_id):
    """Apply a volunteer's SMS the system did not act on (the inbox) as ``accept``, ``decline``
    or ``done`` of this task, as if they had replied the command: the same state change and
    confirmation SMS, audited as the caller. The SMS is then handled: a second call is a 409."""
    inbox_actions.apply_reply(db.session, data["sms_id"], task_id, data["command"])
    return operations.get_task(db.session, task_id)
