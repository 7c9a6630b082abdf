"""Generate the station's verdict sounds (small 16-bit mono WAVs) into assets/sounds/.

Run once; the WAVs are committed as data. Each verdict has a distinct melody, not just a
pitch, so the sounds stay distinguishable in a noisy foyer:
  ok       rising two-note chime (bright, short)
  warn     two equal mid beeps (already checked in, not registered today)
  stop     low falling buzz (cancelled, forged, unknown)
  search   one soft click-like blip (name search opened)
"""

import math
import struct
import sys
import wave
from pathlib import Path

RATE = 22050
OUT = Path(__file__).resolve().parent.parent / "assets" / "sounds"


def tone(freq: float, ms: int, volume: float = 0.5, shape: str = "sine") -> list[float]:
    n = int(RATE * ms / 1000)
    fade = max(1, int(RATE * 0.008))  # 8 ms ramps: no clicks at the edges
    out = []
    for i in range(n):
        t = i / RATE
        if shape == "square":
            v = 1.0 if math.sin(2 * math.pi * freq * t) >= 0 else -1.0
            v *= 0.35
        else:
            v = math.sin(2 * math.pi * freq * t) + 0.25 * math.sin(4 * math.pi * freq * t)
        env = min(1.0, i / fade, (n - i) / fade)
        out.append(v * volume * env)
    return out


def silence(ms: int) -> list[float]:
    return [0.0] * int(RATE * ms / 1000)


SOUNDS = {
    "ok": tone(880, 110) + silence(20) + tone(1318.5, 180),
    "warn": tone(660, 140) + silence(90) + tone(660, 140),
    "stop": tone(220, 180, 0.55, "square") + silence(40) + tone(164.8, 320, 0.55, "square"),
    "search": tone(1200, 40, 0.3),
}


def write(path: Path, samples: list[float]) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(
            struct.pack("<h", int(max(-1.0, min(1.0, s)) * 32767)) for s in samples))


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, samples in SOUNDS.items():
        write(OUT / f"{name}.wav", samples)
        print(f"wrote {OUT / name}.wav")
    return 0


if __name__ == "__main__":
    sys.exit(main())
