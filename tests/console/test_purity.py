from tests.test_floors import FRAMEWORKS, GRAPH, offenders, within


def test_the_console_package_is_pure_python_over_the_standard_library():
    assert (
        offenders(
            GRAPH,
            lambda m: within(m, "simulator.console"),
            lambda t: (within(t, "simulator") and not within(t, "simulator.console")) or within(t, FRAMEWORKS),
        )
        == []
    )
