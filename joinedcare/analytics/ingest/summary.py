"""What an ingest did: rows read, loaded and quarantined per table, and the commonest reasons."""

from dataclasses import dataclass, field

from joinedcare.analytics.store import Snapshot


@dataclass(frozen=True)
class TableCounts:
    """Rows of one table: every row read is either loaded or quarantined."""

    read: int
    loaded: int
    quarantined: int


@dataclass(frozen=True)
class Summary:
    """The result of one ingest (printable)."""

    snapshot: Snapshot
    source: str
    format: str
    counts: dict[str, TableCounts]
    top_reasons: list[tuple[str, int]] = field(default_factory=list)
    seconds: float = 0.0
    # Why the snapshot was kept but not made current (None: it is current).
    held_back: str | None = None

    @property
    def loaded(self) -> int:
        return sum(c.loaded for c in self.counts.values())

    @property
    def quarantined(self) -> int:
        return sum(c.quarantined for c in self.counts.values())

    def __str__(self) -> str:
        lines = [
            f"Snapshot {self.snapshot.id} from {self.source} ({self.format}), {self.seconds:.1f} s",
            f"{'table':<14}{'read':>12}{'loaded':>12}{'quarantined':>13}",
        ]
        for name, c in self.counts.items():
            lines.append(f"{name:<14}{c.read:>12,d}{c.loaded:>12,d}{c.quarantined:>13,d}")
        total_read = sum(c.read for c in self.counts.values())
        lines.append(f"{'total':<14}{total_read:>12,d}{self.loaded:>12,d}{self.quarantined:>13,d}")
        if self.top_reasons:
            lines.append(f"Top reasons (every rejected row is in {self.snapshot.quarantine_path}):")
            lines += [f"{n:>12,d}  {reason}" for reason, n in self.top_reasons]
        if self.held_back:
            lines.append(f"NOT made current: {self.held_back}.")
        return "\n".join(lines)
