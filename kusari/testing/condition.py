"""Run a flaky (random) test several times: `repeat`, `retry`,
`repeat_with_success_at_least`."""
from __future__ import annotations

import functools
import unittest

try:
    import _pytest.outcomes
    _Skipped = _pytest.outcomes.Skipped
except ImportError:                 # pragma: no cover
    class _Skipped(Exception):
        pass


class QuietTestRunner:
    def run(self, suite):
        result = unittest.TestResult()
        suite(result)
        return result


def repeat_with_success_at_least(times: int, min_success: int):
    """Run the test method up to `times` times, each on a fresh instance
    (setUp and tearDown around it); it passes once `min_success` runs
    passed and fails once that can no longer happen. A skip skips."""
    assert times >= min_success

    def decorate(f):
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            assert len(args) > 0
            instance = args[0]
            assert isinstance(instance, unittest.TestCase)
            successes = failures = 0
            failed_results = []

            def fail():
                msg = f"\nFail: {failures}, Success: {successes}"
                if failed_results:
                    errors = failed_results[0].failures + failed_results[0].errors
                    if errors:
                        msg += "\n\nThe first error message:\n" + \
                            "\n".join(e[1] for e in errors)
                instance.fail(msg)

            for _ in range(times):
                trial = type(instance)(instance._testMethodName)

                def run_once(trial=trial):
                    try:
                        f(trial, *args[1:], **kwargs)
                    except _Skipped as e:
                        trial.skipTest(e.msg)

                suite = unittest.TestSuite()
                suite.addTest(unittest.FunctionTestCase(
                    run_once, setUp=trial.setUp, tearDown=trial.tearDown))
                result = QuietTestRunner().run(suite)
                if len(result.skipped) == 1:
                    instance.skipTest(result.skipped[0][1])
                elif result.wasSuccessful():
                    successes += 1
                else:
                    failed_results.append(result)
                    failures += 1
                if successes >= min_success:
                    instance.assertTrue(True)
                    return
                if failures > times - min_success:
                    fail()
                    return
            fail()
        return wrapper
    return decorate


def repeat(times: int):
    """The test must pass `times` times in a row."""
    return repeat_with_success_at_least(times, times)


def retry(times: int):
    """The test must pass at least once in `times` runs."""
    return repeat_with_success_at_least(times, 1)
