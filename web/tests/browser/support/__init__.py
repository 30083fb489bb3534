"""Harness for the browser tests, the screenshots and bench/web-*.py: a real hub, its REST API,
a fake gateway that plays an agent over /ws/gateway, and Chromium found by role and name."""
