from models.configuration import Configuration


def test_shipped_configuration_loads(config: Configuration) -> None:
    assert {"GB3838-2002", "GB18918-2002"} <= set(config.standards)
