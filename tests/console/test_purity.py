from tests.test_floors import FRAMEWORKS, GRAPH, offenders, within


def test_the_console_package_is_pure_python_beside_the_kubeapi_wire_formats():
    assert (
        offenders(
            GRAPH,
            lambda m: within(m, "simulator.console"),
            lambda t: (
                (within(t, "simulator") and not within(t, ("simulator.console", "simulator.kubeapi")))
                or within(t, FRAMEWORKS)
            ),
        )
        == []
    )
