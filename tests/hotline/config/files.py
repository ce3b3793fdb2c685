"""Configuration files for the tests: a small valid one, and ways to break it."""

from __future__ import annotations

from pathlib import Path

DEMO = Path(__file__).resolve().parents[3] / "examples" / "demo.yaml"

SMALL = """\
hotlines:
  - key: city
    name: 慈溪市心理援助热线
    number: "+8657463898070"
    timezone: Asia/Shanghai
    language: zh-CN
    ring_seconds: 20
    overflow: []
counselors:
  - {key: wang-li, name: 王丽, phone: "+8613900000001"}
  - {key: zhang-wei, name: 张伟, phone: "+8613900000002"}
  - {key: li-na, name: 李娜, phone: "+8613900000003"}
rota:
  - key: days
    hotline: city
    tier: 1
    weekly: {days: [mon, tue, wed, thu, fri, sat, sun], start: "08:00", end: "20:00"}
    counselors: [wang-li, zhang-wei]
  - key: nights
    hotline: city
    tier: 1
    weekly: {days: [mon, tue, wed, thu, fri, sat, sun], start: "20:00", end: "08:00"}
    counselors: [li-na]
overrides: []
leave: []
"""
