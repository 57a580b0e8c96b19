"""Small real video files for tests, made with Debian's ffmpeg during the run."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

FFMPEG = shutil.which("ffmpeg")


def need_ffmpeg() -> str:
    """The ffmpeg executable; skip the test without it, unless on CI where it must be there."""
    if FFMPEG is None:
        if os.environ.get("CI"):
            pytest.fail("ffmpeg is missing on CI (.ci/run installs Debian's ffmpeg)")
        pytest.skip("ffmpeg is not installed")
    return FFMPEG


def make_video(folder: Path, kind: str, seconds: int = 20, name: str | None = None) -> Path:
    """A `seconds`-long test pattern with a tone, one keyframe a second: VP8/Vorbis WebM, H.264/AAC MP4,
    H.264/AAC QuickTime (`mov`), or files no browser plays: MPEG-4 Part 2 in MP4 (`mpeg4.mp4`) and
    Motion JPEG in QuickTime (`mjpeg.mov`)."""
    ffmpeg = need_ffmpeg()
    out = folder / (name or f"test-{seconds}s.{kind}")
    if out.exists():
        return out
    codecs = {
        "webm": [
            "-c:v",
            "libvpx",
            "-b:v",
            "150k",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
            "-c:a",
            "libvorbis",
        ],
        "mp4": ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"],
        "mov": ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-f", "mov"],
        "mpeg4.mp4": ["-c:v", "mpeg4", "-c:a", "aac"],
        "mjpeg.mov": ["-c:v", "mjpeg", "-c:a", "aac", "-f", "mov"],
    }[kind]
    cmd = [
        ffmpeg,
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=160x120:rate=25",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=48000",
        "-t",
        str(seconds),
        "-g",
        "25",
        *codecs,
    ]
    if kind in ("mp4", "mov"):
        cmd += ["-movflags", "+faststart"]
    subprocess.run([*cmd, str(out)], check=True, timeout=120)
    return out
