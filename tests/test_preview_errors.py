"""The preview's error pages wholly in the interface language (no Werkzeug English left), a busy
port refused with a clear message and exit code 2, and access log lines in plain text."""
from __future__ import annotations

import html
import logging
import socket
import threading
import urllib.request

import pytest
from click.testing import CliRunner

from digest import pipeline
from digest.cli import cli
from digest.preview import _plain_handler, create_app
from tests.test_preview import make_settings

WERKZEUG_ENGLISH = ("The requested URL was not found", "The method is not allowed", "The browser (or proxy) sent",
                    "The server encountered an internal error")


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    pipeline.open_store(make_settings(home))
    return home


def pages(home, language):
    settings = make_settings(home, language=language)
    app = create_app(settings, pipeline.open_store(settings))

    @app.get("/boom-for-test")
    def boom():  # an uncaught HTTP 500 raised as such
        from flask import abort

        abort(500)

    c = app.test_client()
    return {"404": c.get("/no/such/page"), "405": c.post("/"), "400": c.get("/issue/abc/page/x/source?x=%ff"),
            "500": c.get("/boom-for-test")}


def test_error_pages_are_chinese_by_default(home):
    got = pages(home, "zh")
    assert got["404"].status_code == 404 and got["405"].status_code == 405 and got["500"].status_code == 500
    for code, resp in got.items():
        text = html.unescape(resp.get_data(as_text=True))
        assert not any(e in text for e in WERKZEUG_ENGLISH), (code, text)
    assert "预览中没有这个页面" in html.unescape(got["404"].get_data(as_text=True))
    assert "未找到" in html.unescape(got["404"].get_data(as_text=True))
    assert "不允许" in html.unescape(got["405"].get_data(as_text=True))
    assert "内部错误" in html.unescape(got["500"].get_data(as_text=True))


def test_error_pages_are_english_with_language_en(home):
    got = pages(home, "en")
    text = html.unescape(got["404"].get_data(as_text=True))
    assert "There is no such page in the preview" in text and "The requested URL" not in text
    assert "not allowed" in html.unescape(got["405"].get_data(as_text=True))


def test_a_busy_port_is_refused_with_its_number_and_the_option(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    try:
        res = CliRunner().invoke(cli, ["--home", str(tmp_path), "preview", "--port", str(port)])
    finally:
        taken.close()
    assert res.exit_code == 2, res.output
    assert f"port {port}" in res.output and "--port" in res.output and "in use" in res.output
    assert "Address already in use" not in res.output and "Either identify" not in res.output


def test_access_log_lines_are_plain_text(home, caplog):
    from werkzeug.serving import make_server

    settings = make_settings(home)
    server = make_server("127.0.0.1", 0, create_app(settings, pipeline.open_store(settings)), threaded=True,
                         request_handler=_plain_handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            for path in ("/", "/no/such/page"):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}{path}", timeout=10).read()
                except urllib.error.HTTPError:
                    pass
    finally:
        server.shutdown()
        server.server_close()
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any('"GET / HTTP/1.1" 200' in line for line in lines), lines
    assert any("404" in line for line in lines) and not any("\x1b" in line for line in lines), lines


def test_digest_preview_serves_and_logs_plain_lines(home):
    """A real `digest preview --port 0` process: it says where it listens, serves, and logs plain text."""
    import os
    import re
    import subprocess
    import sys

    from tests.conftest import REPO

    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env.update(DIGEST_HOME=str(home), PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "digest.cli", "preview", "--port", "0"], env=env, cwd=home,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stderr.readline()
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", first).group(1))
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/no/such/page", timeout=10)
        busy = subprocess.run([sys.executable, "-m", "digest.cli", "preview", "--port", str(port)], env=env,
                              cwd=home, capture_output=True, text=True, timeout=60)
        assert busy.returncode == 2 and f"port {port}" in busy.stderr and "--port" in busy.stderr
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert '"GET /no/such/page HTTP/1.1" 404' in err and "\x1b" not in err and "\\x1b" not in err, err
