"""Running a local provider emulator (stripe_emulator, platform_emulator) for the test session: a
separate process on a free port, answered before the first test uses it, stopped at the end."""

import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 15.0


@contextmanager
def emulator_running(name, module, arguments, folder, make_handle):
    """Start `python -m module --port 0 ...`, wait until its handle answers `state()`, yield the
    handle, and stop the process afterwards."""
    log_path, port_file = folder / "emulator.log", folder / "port"
    command = [sys.executable, "-m", module, "--port", "0", "--port-file", str(port_file), *arguments]
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield _wait_for(name, process, log_path, port_file, make_handle)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(name, process, log_path, port_file, make_handle):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the {name} emulator exited with {process.returncode}: {log_path.read_text()}"
            )
        if port_file.exists():
            handle = make_handle(f"http://127.0.0.1:{int(port_file.read_text())}")
            try:
                handle.state()
                return handle
            except OSError:
                pass
        time.sleep(0.05)
    raise RuntimeError(f"the {name} emulator did not answer within {START_TIMEOUT} s: {log_path.read_text()}")
