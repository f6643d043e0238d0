"""Demo County's structure: place -> localities -> Teams Around Patients -> practices.

Computed from the full real list sizes whatever the scale, so a tiny test county has the same
teams as the full one.
"""

from dataclasses import dataclass
from functools import cache
from itertools import pairwise, product

from . import reference

PLACE = {"code": "DEMO", "name": "Demo County"}

TEAM_MIN, TEAM_MAX, TEAM_TARGET = 30_000, 50_000, 40_000
TEAM_COUNT = 13

# Localities by postcode district, each list in a rough geographic chain so that neighbouring
# districts are adjacent and teams can be cut from the chain in contiguous pieces.
LOCALITIES = (
    ("LOC1", "North Durham", ("NE17", "DH8", "NE16", "DH9", "DH2", "DH3")),
    (
        "LOC2",
        "Central and East Durham",
        ("DH7", "DH1", "DH4", "DH6", "SR7", "SR8", "TS27", "TS28", "TS21"),
    ),
    (
        "LOC3",
        "South Durham",
        ("DL15", "DL13", "DL12", "DL2", "DL14", "DL4", "DL5", "DL17", "DL16"),
    ),
)

# Upper Teesdale and Weardale: sparse dales where a team may serve fewer than 30,000 people.
RURAL_DISTRICTS = {
    "DL2": "Teesdale villages",
    "DL12": "Teesdale",
    "DL13": "Weardale",
}

# The main town of each postcode district, used to name teams.
DISTRICT_TOWNS = {
    "DH1": "Durham City",
    "DH2": "Chester-le-Street",
    "DH3": "Chester-le-Street",
    "DH4": "Houghton-le-Spring",
    "DH6": "Sherburn and Shotton",
    "DH7": "Durham West",
    "DH8": "Consett",
    "DH9": "Stanley",
    "DL2": "Gainford",
    "DL4": "Shildon",
    "DL5": "Newton Aycliffe",
    "DL12": "Teesdale",
    "DL13": "Weardale",
    "DL14": "Bishop Auckland",
    "DL15": "Crook",
    "DL16": "Spennymoor",
    "DL17": "Ferryhill",
    "NE16": "Burnopfield",
    "NE17": "Derwentside",
    "SR7": "Seaham",
    "SR8": "Peterlee",
    "TS21": "Sedgefield",
    "TS27": "Blackhall",
    "TS28": "Wingate",
}

# Fictional partner organisations (codes prefixed JC so they can never be real ODS codes).
OTHER_ORGANISATIONS = (
    ("84H", "NHS County Durham CCG", "icb"),
    ("RXP", "County Durham and Darlington NHS Foundation Trust", "acute_trust"),
    ("JC0A1", "Demo County Council Adult Social Care", "council_adult_social_care"),
    ("JC0A2", "Demo County Council Children's Services", "council_childrens_services"),
    ("JC0C1", "Demo Community Health Services (fictional)", "community_trust"),
    ("JC0V1", "Demo Age Friends (fictional charity)", "vcs"),
    ("JC0V2", "Demo Carers Together (fictional charity)", "vcs"),
    ("JC0V3", "Demo Good Neighbours (fictional charity)", "vcs"),
)


@dataclass(frozen=True)
class Team:
    code: str
    name: str
    locality_code: str
    practices: tuple[reference.Practice, ...]
    rural: bool
    rural_reason: str | None

    @property
    def population(self) -> int:
        return sum(p.list_size for p in self.practices)


def _district_order(locality_index: int) -> dict[str, int]:
    return {d: i for i, d in enumerate(LOCALITIES[locality_index][2])}


def _locality_practices(locality_index: int) -> list[reference.Practice]:
    order = _district_order(locality_index)
    chosen = [p for p in reference.practices() if p.district in order]
    # Small practices first within a district, so they can join the neighbouring district's
    # team: with large practices first some localities cannot be cut into 30-50k teams at all.
    return sorted(chosen, key=lambda p: (order[p.district], p.list_size, p.code))


def _allowed(group: list[reference.Practice]) -> bool:
    size = sum(p.list_size for p in group)
    rural = all(p.district in RURAL_DISTRICTS for p in group)
    return size <= TEAM_MAX and (size >= TEAM_MIN or rural)


def _cost(group: list[reference.Practice]) -> float:
    size = sum(p.list_size for p in group)
    districts = {p.district for p in group}
    # Prefer teams near the target size that do not mix many postcode districts.
    return (size - TEAM_TARGET) ** 2 + 2e7 * (len(districts) - 1)


def _best_partition(practices: list[reference.Practice], k: int) -> tuple[float, list[int]]:
    """Cut an ordered list into k contiguous allowed groups of least total cost (DP)."""
    n = len(practices)
    inf = float("inf")
    best = [[(inf, [])] * (n + 1) for _ in range(k + 1)]
    best[0][0] = (0.0, [])
    for j in range(1, k + 1):
        for end in range(1, n + 1):
            for start in range(end):
                prev_cost, prev_cuts = best[j - 1][start]
                group = practices[start:end]
                if prev_cost == inf or not _allowed(group):
                    continue
                cost = prev_cost + _cost(group)
                if cost < best[j][end][0]:
                    best[j][end] = (cost, [*prev_cuts, end])
    return best[k][n]


def _team_name(practices: tuple[reference.Practice, ...], taken: set[str]) -> str:
    sizes: dict[str, int] = {}
    for p in practices:
        sizes[p.district] = sizes.get(p.district, 0) + p.list_size
    towns = []
    for district in sorted(sizes, key=lambda d: -sizes[d]):
        town = DISTRICT_TOWNS[district]
        if town not in towns:
            towns.append(town)
    name = towns[0]
    # Two teams in one town: name the second by its two main towns.
    if name in taken and len(towns) > 1:
        name = f"{towns[0]} and {towns[1]}"
    return name


@cache
def teams() -> tuple[Team, ...]:
    """The 13 Teams Around Patients, cut from each locality's chain of practices."""
    per_locality = [_locality_practices(i) for i in range(len(LOCALITIES))]
    options = [{k: _best_partition(ps, k) for k in range(1, 8)} for ps in per_locality]
    best = None
    for ks in product(range(1, 8), repeat=len(LOCALITIES)):
        if sum(ks) != TEAM_COUNT:
            continue
        cost = sum(options[i][k][0] for i, k in enumerate(ks))
        if best is None or cost < best[0]:
            best = (cost, ks)
    assert best is not None and best[0] < float("inf"), "no allowed partition"
    out: list[Team] = []
    taken: set[str] = set()
    for i, k in enumerate(best[1]):
        cuts = [0, *options[i][k][1]]
        for start, end in pairwise(cuts):
            group = tuple(per_locality[i][start:end])
            size = sum(p.list_size for p in group)
            rural_size = sum(p.list_size for p in group if p.district in RURAL_DISTRICTS)
            reason = None
            # Rural when most of the team's people are registered in the dales.
            if rural_size * 2 > size:
                reasons = sorted({RURAL_DISTRICTS.get(p.district, "") for p in group} - {""})
                reason = f"most registered people live in sparse rural dales ({', '.join(reasons)})"
            name = _team_name(group, taken)
            taken.add(name)
            out.append(
                Team(
                    code=f"TAP{len(out) + 1:02d}",
                    name=f"{name} TAP",
                    locality_code=LOCALITIES[i][0],
                    practices=group,
                    rural=reason is not None,
                    rural_reason=reason,
                )
            )
    return tuple(out)


@cache
def lsoa_blocks() -> dict[str, tuple[reference.Lsoa, ...]]:
    """Each team's contiguous block of LSOAs (in MSOA order) with a matching population share.

    We have no LSOA-to-practice lookup in the package, so teams are given neighbouring
    LSOAs (by MSOA number) whose mid-2015 population roughly matches their registered share.
    """
    areas = reference.lsoas()
    total_pop = sum(a.population for a in areas)
    total_reg = sum(t.population for t in teams())
    blocks: dict[str, tuple[reference.Lsoa, ...]] = {}
    cumulative_reg = 0
    start = 0
    cumulative_pop = 0
    for idx, team in enumerate(teams()):
        cumulative_reg += team.population
        target = cumulative_reg / total_reg * total_pop
        end = start
        remaining_teams = len(teams()) - idx - 1
        while end < len(areas) - remaining_teams and (
            end == start or cumulative_pop + areas[end].population / 2 <= target
        ):
            cumulative_pop += areas[end].population
            end += 1
        if remaining_teams == 0:
            cumulative_pop += sum(a.population for a in areas[end:])
            end = len(areas)
        blocks[team.code] = tuple(areas[start:end])
        start = end
    return blocks


def organisation_document() -> dict:
    """The structure as written to organisation.json."""
    blocks = lsoa_blocks()
    localities = []
    for code, name, districts in LOCALITIES:
        locality_teams = [t for t in teams() if t.locality_code == code]
        areas = []
        for t in locality_teams:
            for lsoa in blocks[t.code]:
                if lsoa.msoa_name not in areas:
                    areas.append(lsoa.msoa_name)
        localities.append(
            {
                "code": code,
                "name": name,
                "postcode_districts": list(districts),
                "areas": areas,
                "population": sum(t.population for t in locality_teams),
            }
        )
    team_docs = [
        {
            "code": t.code,
            "name": t.name,
            "locality_code": t.locality_code,
            "population": t.population,
            "rural": t.rural,
            "rural_reason": t.rural_reason,
            "practice_codes": [p.code for p in t.practices],
            "lsoas": [a.code for a in blocks[t.code]],
        }
        for t in teams()
    ]
    practice_docs = [
        {
            "code": p.code,
            "name": _title(p.name),
            "postcode": p.postcode,
            "list_size": p.list_size,
            "team_code": t.code,
            "locality_code": t.locality_code,
        }
        for t in teams()
        for p in t.practices
    ]
    organisations = [
        {"code": code, "name": name, "kind": kind} for code, name, kind in OTHER_ORGANISATIONS
    ]
    organisations += [
        {"code": p["code"], "name": p["name"], "kind": "gp_practice"} for p in practice_docs
    ]
    return {
        "place": {**PLACE, "population": sum(t.population for t in teams())},
        "localities": localities,
        "teams": team_docs,
        "practices": sorted(practice_docs, key=lambda p: p["code"]),
        "organisations": organisations,
    }


_SMALL_WORDS = {"and", "of", "the", "in", "at", "on"}


def _title(name: str) -> str:
    """Title-case an upper-case ODS name: 'ST ANDREW'S MEDICAL PRACTICE' -> "St Andrew's ..."."""
    words = []
    for i, word in enumerate(name.lower().split()):
        if i > 0 and word in _SMALL_WORDS:
            words.append(word)
        elif word in {"ctr", "ctr."}:
            words.append("Centre")
        else:
            words.append("-".join(part[:1].upper() + part[1:] for part in word.split("-")))
    return " ".join(words)


def practice_title(practice: reference.Practice) -> str:
    return _title(practice.name)
