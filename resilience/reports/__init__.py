"""The official report of a flood event: built once (operations), rendered as JSON, HXL-tagged
CSV or GeoJSON (formats), served by the API (api), the CLI and the officials' web page."""
