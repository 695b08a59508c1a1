from flask_smorest import Blueprint
from sqlalchemy import select

from resilience.core.api import PageArgs, list_schema, paginate
from resilience.core.errors import NotFound
from resilience.extensions import db
from resilience.dispatch.models import Task
from resilience.dispatch.schemas import TaskQuery, TaskSchema

blp = Blueprint("tasks", __name__, url_prefix="/tasks", description="Tasks: a need assigned to a volunteer")


@blp.get("")
@blp.arguments(TaskQuery, location="query", as_kwargs=True)
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(TaskSchema, "TaskList"))
def list_tasks(page, event=None, status=None, volunteer=None):
    query = select(Task).order_by(Task.id)
    if event is not None:
        query = query.where(Task.event_id == event)
    if status:
        query = query.where(Task.status == status)
    if volunteer is not None:
        query = query.where(Task.volunteer_id == volunteer)
    return paginate(db.session, query, page)


@blp.get("/<int:task_id>")
@blp.response(200, TaskSchema)
def get_task(task_id):
    task = db.session.get(Task, task_id)
    if task is None:
        raise NotFound(f"no task with id {task_id}")
    return task
