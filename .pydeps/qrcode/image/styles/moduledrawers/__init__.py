# For backwards compatibility, importing the PIL drawers here.
try:
    from .pil import CircleModuleDrawer  # noqa: F401
    from .pil import GappedSquareModuleDrawer  # noqa: F401
    from .pil import HorizontalBarsDrawer  # noqa: F401
    from .pil import RoundedModuleDrawer  # noqa: F401
    from .pil import SquareModuleDrawer  # noqa: F401
    from .pil import VerticalBarsDrawer  # noqa: F401
except ImportError:
    pass
