"""Evaluation commands' library side: scorers that read gold files given as paths and print figures."""

from __future__ import annotations
