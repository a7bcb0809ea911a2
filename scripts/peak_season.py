#!/usr/bin/env python3
"""Peak-season forecast accuracy: staffcast's CLI against peers, on two multi-year series
and a small queue drawn from one of them.

Run by hand (not in CI), usually through scripts/peak_season.sh, which sets up the Python
packages. Prints a markdown report and writes it to target/peak_season/REPORT.md.

Data: $STAFFCAST_SHARED_DATA (default: <repo>/../shared/data), folder multi-year/:
  * traffic: hourly I-94 volume 2012-10..2018-09, local time America/Chicago. Duplicate
    date_time rows (one per weather condition, same volume) are dropped; the ~12,000 hours
    that are absent stay missing (never zero); `holiday` names the holiday on its first hour
    and is used as the holiday calendar (known ahead, so the whole file's calendar is used).
  * wiki: daily log page views 2007-12..2016-01; volume = exp(y). staffcast gets it as one
    row per day at T00:00:00 on a 60-minute grid (hours never seen are closed, forecast 0);
    its forecast is summed per day.
  * small: traffic as a small contact-centre queue. Each observed hour's count is drawn from
    Poisson(0.004 x the traffic volume), seed 1999: about 14 contacts an hour, 330 a day, with
    traffic's seasons, holidays and gaps. Counting noise then sets most of the error, as on
    the small queues staffcast is checked on; the rate drawn from is the "true rate"
    reference (below).

Peak-season cases (section 1): for each series and calendar year, the peak window is the
busiest 42 consecutive days (6 weeks, Monday start, lying inside the year) by observed
actual total. The year is a case when that window is >= 90 % observed and the first
observation lies >= 730 days before the earliest (12-week) origin. Origins are local
midnights 4, 8 and 12 weeks before the window start; every method sees only history
strictly before its origin.

Methods (all on history before the origin only):
  staffcast auto, and staffcast long_horizon when `staffcast forecast --help` lists it.
    The history file is cut at the origin; `--origin` is passed when the binary has it,
    otherwise the origin is implicit (= --from, the window start, with a gap of history).
  prophet        Prophet on log daily totals (yearly + weekly seasonality, holidays from the
                 data for traffic), exp back; traffic: x intraday profile (below).
  mstl           statsforecast MSTL, season lengths 7 and 365, AutoETS trend, on log daily
                 totals; traffic: x intraday profile.
  last_year      the interval 364 days earlier x growth (total of the last 8 weeks of history
                 / the same 8 weeks 364 days earlier, over intervals observed in both).
  seasonal_naive the last observed value of the same weekly slot (the last week repeated).
  six_week_avg   the mean of the last 6 observed values of the same weekly slot.
Intraday profile (traffic): per weekday, the mean hourly shares of the 8 most recent normal
(non-holiday, complete) days of that weekday before the origin.

Gap filling, for the peers only (actuals are never filled, missing actuals are never scored):
  * traffic daily totals: runs of <= 3 missing hours are interpolated linearly, then a day
    has a total only when all its hours are present (others are missing days).
  * Prophet: missing days are simply left out (Prophet needs no regular grid).
  * MSTL (needs a gap-free grid): each missing day gets the linear interpolation between the
    nearest observed days of the same weekday (log scale); the series ends at the last
    observed day and the horizon runs from there to the window end.
  * last_year: a missing interval 364 days back is taken 371, then 357 days back, then from
    six_week_avg. The 8-week growth windows end at the last observed interval before the
    origin (= the origin unless the history ends in a gap).
  * seasonal_naive / six_week_avg skip missing values by construction.

Scores per case and method, over the window's observed actuals at the series' resolution
(hourly traffic, daily wiki): WAPE = sum|y-f| / sum y; bias = sum(f-y) / sum y; busiest-day
error = |max daily forecast - max daily actual| / max daily actual over the days with at most
one missing hour (forecast summed over the same observed hours); p10-p90 coverage (staffcast).
Verdict for staffcast per series x lead: mean WAPE <= 0.9 x the best peer's mean WAPE, and
mean busiest-day error <= 10 %.

References (not peers, never the best peer): "hindsight slot median" gives each interval the
median of the window's own actuals in its weekly slot (weekday x hour; weekday for wiki). It
reads the window, so no forecast made weeks ahead can be expected to beat it by much; where
its WAPE is over the 0.9 x best-peer limit, or its busiest-day error over 10 %, the window's
error is in days no level or weekly shape can foresee (news spikes). "true rate" (small queue
only) is the expected count each hour was drawn from: the best forecast of the mean there is.

Bands (section 2): staffcast's p10-p90 coverage on 1-week windows (Monday start) every 4
weeks over the last 2.5 years of each series, at leads 1 and 12 weeks; target 80 % +/- 5.
On the same windows at 1 week lead, staffcast's WAPE against the 6-week average (both from the
same origin): the bank benchmark's short-lead claim, checked on two series it was not
developed on. (The bank benchmark's window starts at its origin; here it starts a week later.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import shlex
import shutil
import subprocess
import sys
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "target" / "peak_season"

WINDOW_DAYS = 42
LEADS_WEEKS = (4, 8, 12)
MIN_WINDOW_OBSERVED = 0.90
MIN_HISTORY_DAYS = 730
PROFILE_DAYS_PER_WEEKDAY = 8
GROWTH_DAYS = 56
SIX_WEEKS = 6
MAX_FILLED_HOURS = 3
WAPE_RATIO_TARGET = 0.9
BUSIEST_TARGET = 0.10
BAND_LEADS_WEEKS = (1, 12)
BAND_WINDOW_DAYS = 7
BAND_TARGET, BAND_TOLERANCE = 0.80, 0.05

PEERS = ("prophet", "mstl", "last_year", "seasonal_naive", "six_week_avg")
# References, not peers: they read the window's actuals (see hindsight_slot_median) or the
# rate the small queue was drawn from.
HINDSIGHT = "hindsight slot median"
TRUE_RATE = "true rate"
REFERENCES = (HINDSIGHT, TRUE_RATE)
SMALL_QUEUE_RATE = 0.004
SMALL_QUEUE_SEED = 1999
SERIES = ("traffic", "wiki", "small")

DAY = pd.Timedelta(days=1)
WEEK = pd.Timedelta(days=7)


# ----------------------------------------------------------------------------- data


@dataclass
class Series:
    name: str  # "traffic" | "wiki" | "small"
    title: str
    freq: str  # "h" | "D"
    tz: str  # zone staffcast reads the history in
    y: pd.Series  # naive local timestamps on a full grid; NaN = missing
    holidays: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["date", "name"]))
    # The expected value behind `y` when `y` is drawn from it (the small queue), else None.
    true_rate: pd.Series | None = None

    @property
    def step(self) -> pd.Timedelta:
        return pd.Timedelta(hours=1) if self.freq == "h" else DAY

    def holiday_dates(self) -> set:
        return set(self.holidays["date"])


def shared_data_dir() -> Path:
    env = os.environ.get("STAFFCAST_SHARED_DATA")
    return Path(env) if env else (REPO / ".." / "shared" / "data").resolve()


def existing_local_hours(start: pd.Timestamp, end: pd.Timestamp, tz: str) -> pd.DatetimeIndex:
    """Naive local hours in [start, end) that exist in `tz` (no spring-forward hour)."""
    naive = pd.date_range(start, end, freq="h", inclusive="left")
    localized = naive.tz_localize(tz, ambiguous=True, nonexistent="NaT")
    return naive[~localized.isna()]


def load_traffic(data: Path) -> Series:
    path = data / "multi-year" / "metro_interstate_traffic_hourly_2012_2018.csv"
    df = pd.read_csv(path, keep_default_na=False, usecols=["holiday", "date_time", "traffic_volume"])
    df["ts"] = pd.to_datetime(df["date_time"])
    differing = df.groupby("ts")["traffic_volume"].nunique()
    if (differing > 1).any():
        raise SystemExit(f"{path}: {int((differing > 1).sum())} duplicate hours differ in volume")
    df = df.drop_duplicates("ts").set_index("ts").sort_index()
    tz = "America/Chicago"
    grid = existing_local_hours(df.index.min().normalize(), df.index.max().normalize() + DAY, tz)
    y = df["traffic_volume"].astype(float).reindex(grid)
    hol = df.loc[df["holiday"].ne("None") & df["holiday"].ne(""), "holiday"]
    holidays = pd.DataFrame({"date": hol.index.normalize(), "name": hol.values}).drop_duplicates("date")
    return Series("traffic", "I-94 traffic (hourly)", "h", tz, y, holidays.reset_index(drop=True))


def load_wiki(data: Path) -> Series:
    path = data / "multi-year" / "wikipedia_peyton_manning_daily_2007_2016.csv"
    df = pd.read_csv(path)
    s = pd.Series(np.exp(df["y"].to_numpy()), index=pd.to_datetime(df["ts"])).sort_index()
    s = s[~s.index.duplicated()]
    y = s.reindex(pd.date_range(s.index.min(), s.index.max(), freq="D"))
    return Series("wiki", "Wikipedia Peyton Manning (daily)", "D", "UTC", y)


def load_small(data: Path) -> Series:
    """Traffic as a small queue: each hour's count is drawn from Poisson(SMALL_QUEUE_RATE x the
    traffic volume), fixed seed. The seasons, holidays and gaps are traffic's; the counting noise
    is that of a queue with about 14 contacts an hour, where the noise, not the forecast, sets
    most of the error. The rate it was drawn from is kept as a reference no forecast can beat
    in expectation."""
    traffic = load_traffic(data)
    y = traffic.y.copy()
    seen = y.notna()
    rng = np.random.default_rng(SMALL_QUEUE_SEED)
    y[seen] = rng.poisson(y[seen].to_numpy() * SMALL_QUEUE_RATE).astype(float)
    title = f"Small queue: Poisson counts at {SMALL_QUEUE_RATE:g} × I-94 traffic (hourly)"
    return Series("small", title, "h", traffic.tz, y, traffic.holidays, traffic.y * SMALL_QUEUE_RATE)


# ----------------------------------------------------------------------------- cases


@dataclass
class Case:
    series: str
    year: int
    start: pd.Timestamp  # window [start, end)
    end: pd.Timestamp
    window_observed: float
    year_observed: float
    lead_weeks: int = 0

    @property
    def origin(self) -> pd.Timestamp:
        return self.start - self.lead_weeks * WEEK


def peak_windows(s: Series) -> list[Case]:
    """The busiest Monday-start 42-day window of each year that qualifies (see module doc)."""
    day_total = s.y.groupby(s.y.index.normalize()).sum(min_count=1)
    day_obs = s.y.notna().groupby(s.y.index.normalize()).sum()
    day_slots = s.y.groupby(s.y.index.normalize()).size()
    days = pd.date_range(day_total.index.min(), day_total.index.max(), freq="D")
    day_total = day_total.reindex(days).fillna(0.0)
    day_obs = day_obs.reindex(days).fillna(0)
    day_slots = day_slots.reindex(days).fillna(24 if s.freq == "h" else 1)
    first_obs = s.y.first_valid_index()
    roll_total = day_total.rolling(WINDOW_DAYS).sum().shift(-(WINDOW_DAYS - 1))
    roll_share = (day_obs.rolling(WINDOW_DAYS).sum() / day_slots.rolling(WINDOW_DAYS).sum()).shift(
        -(WINDOW_DAYS - 1)
    )
    cases = []
    for year in sorted(set(days.year)):
        year_start, year_end = pd.Timestamp(year, 1, 1), pd.Timestamp(year + 1, 1, 1)
        starts = [
            d
            for d in pd.date_range(year_start, year_end - WINDOW_DAYS * DAY, freq="D")
            if d.weekday() == 0 and d in roll_total.index and not np.isnan(roll_total[d])
        ]
        if not starts:
            continue
        best = max(starts, key=lambda d: roll_total[d])
        in_year = (s.y.index >= year_start) & (s.y.index < year_end)
        year_share = float(s.y[in_year].notna().sum()) / float(
            len(existing_local_hours(year_start, year_end, s.tz)) if s.freq == "h" else (year_end - year_start).days
        )
        earliest_origin = best - max(LEADS_WEEKS) * WEEK
        if roll_share[best] < MIN_WINDOW_OBSERVED or (earliest_origin - first_obs).days < MIN_HISTORY_DAYS:
            continue
        cases.append(Case(s.name, year, best, best + WINDOW_DAYS * DAY, float(roll_share[best]), year_share))
    return cases


def with_leads(windows: list[Case], leads=None) -> list[Case]:
    leads = leads or LEADS_WEEKS
    return [Case(**{**w.__dict__, "lead_weeks": lead}) for w in windows for lead in leads]


def band_windows(s: Series, years: float, step_weeks: int) -> list[Case]:
    """1-week Monday windows every `step_weeks` weeks back from the last complete week."""
    last = s.y.last_valid_index().normalize() + DAY  # exclusive end of the record
    end = last - pd.Timedelta(days=last.weekday())  # a Monday
    count = int(years * 52 / step_weeks)
    out = []
    for i in range(count):
        start = end - BAND_WINDOW_DAYS * DAY - i * step_weeks * WEEK
        w = s.y[(s.y.index >= start) & (s.y.index < start + BAND_WINDOW_DAYS * DAY)]
        if w.notna().any():
            out.append(Case(s.name, start.year, start, start + BAND_WINDOW_DAYS * DAY, float(w.notna().mean()), float("nan")))
    return sorted(out, key=lambda c: c.start)


def window_index(s: Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    return s.y.index[(s.y.index >= start) & (s.y.index < end)]


def history(s: Series, origin: pd.Timestamp) -> pd.Series:
    return s.y[s.y.index < origin]


# ----------------------------------------------------------------------------- shared peer helpers


def fill_short_gaps(y: pd.Series, max_len: int) -> pd.Series:
    """Linear interpolation over runs of at most `max_len` missing values inside the series."""
    missing = y.isna()
    run_id = (missing != missing.shift()).cumsum()
    run_len = missing.groupby(run_id).transform("sum")
    short = missing & (run_len <= max_len)
    filled = y.interpolate(limit_area="inside")
    return y.where(~short, filled)


def daily_totals(s: Series, hist: pd.Series) -> pd.Series:
    """Daily totals; a day is missing unless all its hours are (after short-gap filling)."""
    if s.freq == "D":
        return hist
    filled = fill_short_gaps(hist, MAX_FILLED_HOURS)
    by_day = filled.groupby(filled.index.normalize())
    totals = by_day.sum(min_count=1)
    return totals.where(by_day.count() == by_day.size())


def intraday_profile(s: Series, hist: pd.Series) -> pd.DataFrame:
    """weekday x hour shares: mean over the 8 most recent normal complete days of each weekday."""
    filled = fill_short_gaps(hist, MAX_FILLED_HOURS)
    day = filled.index.normalize()
    frame = pd.DataFrame({"v": filled.to_numpy(), "day": day, "hour": filled.index.hour})
    by_day = frame.groupby("day")["v"]
    complete = (by_day.transform("count") == by_day.transform("size")) & (by_day.transform("size") >= 23)
    frame = frame[complete & ~frame["day"].isin(s.holiday_dates())]
    table = frame.pivot_table(index="day", columns="hour", values="v", aggfunc="first")
    table = table.div(table.sum(axis=1), axis=0)
    recent = table.groupby(table.index.weekday, group_keys=False).apply(
        lambda g: g.tail(PROFILE_DAYS_PER_WEEKDAY)
    )
    profile = recent.groupby(recent.index.weekday).mean().reindex(index=range(7), columns=range(24))
    return profile.div(profile.sum(axis=1), axis=0)


def spread_daily(s: Series, daily_fc: pd.Series, hist: pd.Series, idx: pd.DatetimeIndex) -> pd.Series:
    """Daily forecasts at the series' resolution (traffic: x the weekday intraday profile)."""
    days = idx.normalize()
    if s.freq == "D":
        return pd.Series(daily_fc.reindex(days).to_numpy(), index=idx)
    profile = intraday_profile(s, hist)
    shares = profile.to_numpy()[idx.weekday, idx.hour]
    return pd.Series(daily_fc.reindex(days).to_numpy() * shares, index=idx)


def slot_of(s: Series, idx: pd.DatetimeIndex) -> np.ndarray:
    return idx.weekday * 24 + idx.hour if s.freq == "h" else np.asarray(idx.weekday)


def last_values_mean(s: Series, hist: pd.Series, idx: pd.DatetimeIndex, k: int) -> pd.Series:
    obs = hist.dropna()
    recent = obs.groupby(slot_of(s, obs.index)).tail(k)
    means = recent.groupby(slot_of(s, recent.index)).mean()
    return pd.Series(means.reindex(slot_of(s, idx)).to_numpy(), index=idx)


# ----------------------------------------------------------------------------- peers


def peer_prophet(s: Series, hist: pd.Series, idx: pd.DatetimeIndex) -> pd.Series:
    from prophet import Prophet

    daily = daily_totals(s, hist).dropna()
    daily = daily[daily > 0]
    holidays = None
    if len(s.holidays):
        holidays = pd.DataFrame({"holiday": s.holidays["name"], "ds": s.holidays["date"]})
    model = Prophet(
        yearly_seasonality=True,
        weekly_seasonality=True,
        daily_seasonality=False,
        holidays=holidays,
        uncertainty_samples=0,
    )
    model.fit(pd.DataFrame({"ds": daily.index, "y": np.log(daily.to_numpy())}))
    days = pd.DatetimeIndex(sorted(set(idx.normalize())))
    yhat = model.predict(pd.DataFrame({"ds": days}))["yhat"].to_numpy()
    return spread_daily(s, pd.Series(np.exp(yhat), index=days), hist, idx)


def fill_by_weekday(daily: pd.Series) -> pd.Series:
    """Each missing day: linear interpolation between the nearest observed same-weekday days."""
    return daily.groupby(daily.index.weekday, group_keys=False).apply(
        lambda g: g.interpolate(limit_direction="both")
    ).sort_index()


def peer_mstl(s: Series, hist: pd.Series, idx: pd.DatetimeIndex) -> pd.Series:
    from statsforecast import StatsForecast
    from statsforecast.models import MSTL, AutoETS

    daily = daily_totals(s, hist)
    daily = daily.where(daily > 0)
    daily = daily.loc[daily.first_valid_index() : daily.last_valid_index()]
    daily = daily.reindex(pd.date_range(daily.index[0], daily.index[-1], freq="D"))
    log_filled = fill_by_weekday(np.log(daily))
    days = pd.DatetimeIndex(sorted(set(idx.normalize())))
    horizon = (days[-1] - log_filled.index[-1]).days
    frame = pd.DataFrame({"unique_id": s.name, "ds": log_filled.index, "y": log_filled.to_numpy()})
    model = MSTL(season_length=[7, 365], trend_forecaster=AutoETS(model="ZZN"))
    fc = StatsForecast(models=[model], freq="D", n_jobs=1).forecast(df=frame, h=horizon)
    daily_fc = pd.Series(np.exp(fc["MSTL"].to_numpy()), index=pd.DatetimeIndex(fc["ds"]))
    return spread_daily(s, daily_fc, hist, idx)


def peer_last_year(s: Series, hist: pd.Series, idx: pd.DatetimeIndex) -> pd.Series:
    year = pd.Timedelta(days=364)
    last = hist.last_valid_index() + s.step
    recent = hist[hist.index >= last - GROWTH_DAYS * DAY]
    before = hist.reindex(recent.index - year).to_numpy()
    both = recent.notna().to_numpy() & ~np.isnan(before)
    growth = recent.to_numpy()[both].sum() / before[both].sum() if both.any() and before[both].sum() > 0 else 1.0
    base = pd.Series(hist.reindex(idx - year).to_numpy(), index=idx)
    for days_back in (371, 357):
        alt = pd.Series(hist.reindex(idx - pd.Timedelta(days=days_back)).to_numpy(), index=idx)
        base = base.fillna(alt)
    return (base * growth).fillna(peer_six_week_avg(s, hist, idx))


def peer_seasonal_naive(s: Series, hist: pd.Series, idx: pd.DatetimeIndex) -> pd.Series:
    return last_values_mean(s, hist, idx, 1)


def peer_six_week_avg(s: Series, hist: pd.Series, idx: pd.DatetimeIndex) -> pd.Series:
    return last_values_mean(s, hist, idx, SIX_WEEKS)


def hindsight_slot_median(s: Series, actual: pd.Series) -> pd.Series:
    """Not a forecast: each interval gets the median of the window's own actuals in its weekly
    slot (weekday x hour). It knows the window's level and weekly shape, but not which days
    spike, so its WAPE shows how much of a window's error no level or shape can remove."""
    obs = actual.dropna()
    medians = obs.groupby(slot_of(s, obs.index)).median()
    return pd.Series(medians.reindex(slot_of(s, actual.index)).to_numpy(), index=actual.index)


PEER_FUNCS = {
    "prophet": peer_prophet,
    "mstl": peer_mstl,
    "last_year": peer_last_year,
    "seasonal_naive": peer_seasonal_naive,
    "six_week_avg": peer_six_week_avg,
}


# ----------------------------------------------------------------------------- staffcast


class Staffcast:
    """Runs `staffcast forecast` on a history cut at the origin."""

    def __init__(self, binary: Path, tmp: Path):
        self.binary = binary
        self.tmp = tmp
        help_text = subprocess.run(
            [str(binary), "forecast", "--help"], capture_output=True, text=True, check=True
        ).stdout
        self.has_origin = "--origin" in help_text
        self.models = ["auto"] + (["long_horizon"] if "long_horizon" in help_text else [])
        # STAFFCAST_MODELS=auto,long_horizon,ensemble: compare more of its models.
        if os.environ.get("STAFFCAST_MODELS"):
            self.models = [m.strip() for m in os.environ["STAFFCAST_MODELS"].split(",") if m.strip()]
        self._lock = threading.Lock()  # parallel runs share history files

    def history_file(self, s: Series, origin: pd.Timestamp) -> Path:
        with self._lock:
            return self._write_history(s, origin)

    def _write_history(self, s: Series, origin: pd.Timestamp) -> Path:
        path = self.tmp / f"{s.name}_history_before_{origin:%Y%m%d}.csv"
        if path.exists():
            return path
        hist = history(s, origin).dropna()
        if s.freq == "h":
            local = hist.index.tz_localize(s.tz, ambiguous=True)
            offset = pd.Index(local.strftime("%z"))
            stamps = pd.Index(hist.index.strftime("%Y-%m-%dT%H:%M:%S")) + offset.str[:3] + ":" + offset.str[3:]
            values = [str(int(v)) if float(v).is_integer() else f"{v:.4f}" for v in hist.to_numpy()]
        else:
            stamps = pd.Index(hist.index.strftime("%Y-%m-%dT00:00:00"))
            values = [f"{v:.4f}" for v in hist.to_numpy()]
        tmp = path.with_suffix(".part")
        with open(tmp, "w") as f:
            f.write("interval_start,volume\n")
            f.writelines(f"{t},{v}\n" for t, v in zip(stamps, values))
        tmp.rename(path)
        return path

    def special_days_file(self, s: Series) -> Path | None:
        if not len(s.holidays):
            return None
        path = self.tmp / f"{s.name}_special_days.csv"
        with self._lock:
            if path.exists():
                return path
            rows = [f"{d:%Y-%m-%d},holiday,{n.replace(',', ' ')}," for d, n in zip(s.holidays["date"], s.holidays["name"])]
            path.write_text("date,kind,name,effect_percent\n" + "\n".join(rows) + "\n")
        return path

    def command(self, s: Series, case: Case, model: str, hist_path: Path, out: Path) -> list[str]:
        cmd = [
            str(self.binary), "forecast",
            "--history", str(hist_path),
            "--from", f"{case.start:%Y-%m-%dT%H:%M:%S}",
            "--to", f"{case.end:%Y-%m-%dT%H:%M:%S}",
            "--interval-minutes", "60",
            "--time-zone", s.tz,
            "--model", model,
            "--output", str(out),
        ]  # fmt: skip
        if self.has_origin:
            cmd += ["--origin", f"{case.origin:%Y-%m-%dT%H:%M:%S}"]
        special = self.special_days_file(s)
        if special is not None:
            cmd += ["--special-days", str(special)]
        return cmd

    def forecast(self, s: Series, case: Case, model: str) -> tuple[pd.DataFrame | None, str]:
        """(volume, p10, p90 at the series' resolution on the window's grid, stderr summary)."""
        hist_path = self.history_file(s, case.origin)
        out = self.tmp / f"{s.name}_{case.origin:%Y%m%d}_{case.start:%Y%m%d}_{model}.csv"
        cmd = self.command(s, case, model, hist_path, out)
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        summary = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
        if proc.returncode != 0:
            return None, f"failed ({proc.returncode}): {summary}"
        fc = pd.read_csv(out)
        stamps = pd.to_datetime(fc["interval_start"], utc=s.freq == "h", format="ISO8601")
        if s.freq == "h":
            stamps = stamps.dt.tz_convert(s.tz).dt.tz_localize(None)
        fc.index = pd.DatetimeIndex(stamps)
        fc = fc[~fc.index.duplicated(keep="first")][["volume", "volume_p10", "volume_p90"]]
        if s.freq == "D":
            fc = fc.groupby(fc.index.normalize()).sum()
        out.unlink()
        return fc.reindex(window_index(s, case.start, case.end)), summary


def staffcast_binary(no_build: bool) -> tuple[Path, str]:
    """STAFFCAST_BIN, or `cargo build --release --locked` in this repo. Returns (path, label)."""
    env = os.environ.get("STAFFCAST_BIN")
    if env:
        label = os.environ.get("STAFFCAST_COMMIT", "unknown (STAFFCAST_BIN set; STAFFCAST_COMMIT labels it)")
        return Path(env), label
    if not no_build:
        subprocess.run(["cargo", "build", "--release", "--locked"], cwd=REPO, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    if not target.is_absolute():
        target = REPO / target
    describe = subprocess.run(
        ["git", "-C", str(REPO), "describe", "--always", "--dirty", "--abbrev=12"], capture_output=True, text=True
    ).stdout.strip()
    return target / "release" / "staffcast", f"{describe} (this repo's working tree)"


# ----------------------------------------------------------------------------- scoring


def score(s: Series, actual: pd.Series, fc: pd.Series, p10=None, p90=None) -> dict:
    """WAPE, bias, busiest-day error (and p10-p90 coverage) over the observed actuals."""
    observed = actual.notna() & fc.notna()
    y, f = actual[observed], fc[observed]
    total = y.sum()
    result = {
        "wape": float(np.abs(y - f).sum() / total),
        "bias": float((f - y).sum() / total),
        "unforecast": int((actual.notna() & fc.isna()).sum()),
    }
    day = y.index.normalize()
    slots = actual.groupby(actual.index.normalize()).size()
    seen = y.groupby(day).size()
    full_days = seen.index[seen.to_numpy() >= slots.reindex(seen.index).to_numpy() - (1 if s.freq == "h" else 0)]
    act_day = y.groupby(day).sum().reindex(full_days)
    fc_day = f.groupby(day).sum().reindex(full_days)
    result["busiest"] = float(abs(fc_day.max() - act_day.max()) / act_day.max()) if len(full_days) else float("nan")
    if p10 is not None:
        lo, hi = p10[observed], p90[observed]
        result["coverage"] = float(((y >= lo) & (y <= hi)).mean())
    return result


# ----------------------------------------------------------------------------- runs


def run_peak(series: dict, staffcast: Staffcast | None, pool: ThreadPoolExecutor, log) -> tuple[list, list]:
    """Scores every method on every case. Returns (case rows, score rows)."""
    cases = {name: peak_windows(s) for name, s in series.items()}
    jobs = {}
    all_cases = [c for name in series for c in with_leads(cases[name])]
    if staffcast:
        for c in all_cases:
            for model in staffcast.models:
                jobs[(c.series, c.year, c.lead_weeks, model)] = pool.submit(staffcast.forecast, series[c.series], c, model)
    rows = []
    for c in all_cases:
        s = series[c.series]
        idx = window_index(s, c.start, c.end)
        hist = history(s, c.origin)
        actual = s.y.reindex(idx)
        for peer in PEERS:
            t0 = time.time()
            try:
                fc = PEER_FUNCS[peer](s, hist, idx)
                note = ""
            except Exception as e:  # one failing fit must not end the run
                fc, note = pd.Series(np.nan, index=idx), f"failed: {type(e).__name__}: {e}"
            rows.append({**case_key(c), "method": peer, "note": note, **score(s, actual, fc)})
            log(f"{c.series} {c.year} lead {c.lead_weeks:2d} {peer:15s} {time.time() - t0:5.1f} s  WAPE {rows[-1]['wape']:.3f}")
        rows.append({**case_key(c), "method": HINDSIGHT, "note": "reads the window's actuals", **score(s, actual, hindsight_slot_median(s, actual))})
        if s.true_rate is not None:
            rows.append({**case_key(c), "method": TRUE_RATE, "note": "the rate the counts were drawn from", **score(s, actual, s.true_rate.reindex(idx))})
    if staffcast:
        for c in all_cases:
            s = series[c.series]
            idx = window_index(s, c.start, c.end)
            actual = s.y.reindex(idx)
            for model in staffcast.models:
                fc, summary = jobs[(c.series, c.year, c.lead_weeks, model)].result()
                if fc is None:
                    nan = pd.Series(np.nan, index=idx)
                    rows.append({**case_key(c), "method": f"staffcast {model}", "note": summary, **score(s, actual, nan, nan, nan)})
                else:
                    sc = score(s, actual, fc["volume"], fc["volume_p10"], fc["volume_p90"])
                    rows.append({**case_key(c), "method": f"staffcast {model}", "note": chosen_model(summary), **sc})
                log(f"{c.series} {c.year} lead {c.lead_weeks:2d} staffcast {model}: WAPE {rows[-1]['wape']:.3f} {summary}")
    case_rows = [
        {
            "series": c.series,
            "year": c.year,
            "window": f"{c.start:%Y-%m-%d} .. {c.end - DAY:%Y-%m-%d}",
            "window_observed": c.window_observed,
            "year_observed": c.year_observed,
            "origins": ", ".join(f"{(c.start - l * WEEK):%Y-%m-%d}" for l in LEADS_WEEKS),
            "gaps": ", ".join(str(history_gap_days(series[name], c.start - l * WEEK)) for l in LEADS_WEEKS),
        }
        for name in series
        for c in cases[name]
    ]
    return case_rows, rows


def run_bands(series: dict, staffcast: Staffcast, pool, years: float, step_weeks: int, log) -> list:
    rows = []
    jobs = []
    for name, s in series.items():
        for w in band_windows(s, years, step_weeks):
            for lead in BAND_LEADS_WEEKS:
                c = Case(**{**w.__dict__, "lead_weeks": lead})
                for model in staffcast.models:
                    jobs.append((s, c, model, pool.submit(staffcast.forecast, s, c, model)))
    for s, c, model, job in jobs:
        fc, summary = job.result()
        idx = window_index(s, c.start, c.end)
        actual = s.y.reindex(idx)
        if fc is None:
            log(f"bands {s.name} {c.start:%Y-%m-%d} lead {c.lead_weeks}: {summary}")
            continue
        sc = score(s, actual, fc["volume"], fc["volume_p10"], fc["volume_p90"])
        observed = int(actual.notna().sum())
        rows.append({"series": s.name, "lead_weeks": c.lead_weeks, "method": f"staffcast {model}", "start": c.start,
                     "observed": observed, "inside": sc["coverage"] * observed, **sc, **error_sums(actual, fc["volume"])})  # fmt: skip
        log(f"bands {s.name} {c.start:%Y-%m-%d} lead {c.lead_weeks:2d} {model}: coverage {sc['coverage']:.2f}")
    # The bank benchmark's baseline on the same windows at the short lead: does the gain over
    # the 6-week average hold on series staffcast was not developed on?
    for name, s in series.items():
        for w in band_windows(s, years, step_weeks):
            c = Case(**{**w.__dict__, "lead_weeks": BAND_LEADS_WEEKS[0]})
            idx = window_index(s, c.start, c.end)
            actual = s.y.reindex(idx)
            references = {"six_week_avg": peer_six_week_avg(s, history(s, c.origin), idx)}
            if s.true_rate is not None:
                references[TRUE_RATE] = s.true_rate.reindex(idx)
            for method, fc in references.items():
                rows.append({"series": name, "lead_weeks": c.lead_weeks, "method": method, "start": c.start,
                             "observed": int(actual.notna().sum()), **score(s, actual, fc), **error_sums(actual, fc)})  # fmt: skip
    return rows


def error_sums(actual: pd.Series, fc: pd.Series) -> dict:
    """Absolute error and actual total over the intervals both have, for WAPE pooled over windows."""
    both = actual.notna() & fc.notna()
    return {"abs_error": float((actual[both] - fc[both]).abs().sum()), "actual_total": float(actual[both].sum())}


def history_gap_days(s: Series, origin: pd.Timestamp) -> int:
    last = history(s, origin).last_valid_index()
    return (origin - (last + s.step)).days


def case_key(c: Case) -> dict:
    return {"series": c.series, "year": c.year, "lead_weeks": c.lead_weeks}


def chosen_model(summary: str) -> str:
    # "forecast N intervals with MODEL (reason...), ..." -> MODEL
    parts = summary.split(" with ", 1)
    return parts[1].split(" ", 1)[0] if len(parts) == 2 else summary


# ----------------------------------------------------------------------------- report


def pct(x: float) -> str:
    return "–" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{100 * x:.1f} %"


def md_table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


def peak_report(series: dict, case_rows: list, rows: list, staffcast_models: list[str]) -> str:
    out = ["## 1. Peak-season cases", ""]
    out.append(
        md_table(
            ["series", "year", "peak window (42 days)", "window observed", "year observed", f"origins (leads {', '.join(map(str, LEADS_WEEKS))} wk)",
             "days between last history and origin"],
            [[r["series"], r["year"], r["window"], pct(r["window_observed"]), pct(r["year_observed"]), r["origins"], r["gaps"]]
             for r in case_rows],
        )
    )
    df = pd.DataFrame(rows)
    out += ["", "## 2. Accuracy per series × lead (mean over the years)", ""]
    verdicts = []
    for name, s in series.items():
        for lead in LEADS_WEEKS:
            sub = df[(df.series == name) & (df.lead_weeks == lead)]
            if sub.empty:
                continue
            agg = sub.groupby("method").agg(
                wape=("wape", "mean"), bias=("bias", "mean"), busiest=("busiest", "mean"),
                coverage=("coverage", "mean") if "coverage" in sub else ("wape", lambda _: np.nan),
                years=("year", "nunique"),
            )  # fmt: skip
            order = [f"staffcast {m}" for m in staffcast_models] + list(PEERS) + list(REFERENCES)
            agg = agg.reindex([m for m in order if m in agg.index])
            peers = agg.loc[[p for p in PEERS if p in agg.index]].dropna(subset=["wape"])
            best = peers["wape"].idxmin() if len(peers) else None
            out += [f"### {s.title}, lead {lead} weeks ({int(agg['years'].max())} years)", ""]
            out.append(
                md_table(
                    ["method", "WAPE", "bias", "busiest-day error", "p10–p90 coverage"],
                    [[m + (" (best peer)" if m == best else ""), pct(r.wape), pct(r.bias), pct(r.busiest), pct(r.coverage)] for m, r in agg.iterrows()],
                )
            )
            for m in staffcast_models:
                key = f"staffcast {m}"
                if key not in agg.index or best is None:
                    continue
                r = agg.loc[key]
                wape_ok = r.wape <= WAPE_RATIO_TARGET * peers.loc[best, "wape"]
                busy_ok = r.busiest <= BUSIEST_TARGET
                line = (
                    f"{s.name} lead {lead} wk, {key}: WAPE {pct(r.wape)} vs 0.9 × best peer ({best}, {pct(peers.loc[best, 'wape'])}) "
                    f"= {pct(WAPE_RATIO_TARGET * peers.loc[best, 'wape'])} → {'PASS' if wape_ok else 'FAIL'}; "
                    f"busiest-day error {pct(r.busiest)} vs 10 % → {'PASS' if busy_ok else 'FAIL'}"
                )
                verdicts.append(line)
                out += ["", f"Verdict: {line}"]
            for ref, knows in ((HINDSIGHT, "knows the window's level and weekly shape"), (TRUE_RATE, "the rate the counts were drawn from")):
                if ref not in agg.index or best is None:
                    continue
                h = agg.loc[ref]
                limit = WAPE_RATIO_TARGET * peers.loc[best, "wape"]
                line = (
                    f"{s.name} lead {lead} wk, {ref} ({knows}): WAPE {pct(h.wape)}, "
                    f"{'under' if h.wape <= limit else 'over'} the {pct(limit)} limit; busiest-day error {pct(h.busiest)}"
                )
                verdicts.append(line)
                out += ["", f"Reference: {line}"]
            out.append("")
    out += ["## 3. Verdicts for staffcast", ""] + [f"- {v}" for v in verdicts]
    out += ["", "## 4. Per case", ""]
    method_order = {m: i for i, m in enumerate([f"staffcast {m}" for m in staffcast_models] + list(PEERS) + list(REFERENCES))}
    detail = df.assign(_m=df["method"].map(method_order)).sort_values(["series", "lead_weeks", "year", "_m"])
    out.append(
        md_table(
            ["series", "lead", "year", "method", "WAPE", "bias", "busiest-day", "coverage", "note"],
            [[r.series, r.lead_weeks, r.year, r.method, pct(r.wape), pct(r.bias), pct(r.busiest), pct(getattr(r, "coverage", np.nan)), r.note or ""]
             for r in detail.itertuples()],
        )  # fmt: skip
    )
    return "\n".join(out) + "\n"


def bands_report(series: dict, rows: list, years: float, step_weeks: int) -> str:
    out = [
        "## 5. staffcast p10–p90 bands",
        "",
        f"1-week windows (Monday start) every {step_weeks} weeks over the last {years:g} years of each series; "
        f"coverage = share of observed actuals (hours for traffic, days for wiki) inside [p10, p90]; "
        f"target {pct(BAND_TARGET)} ± {100 * BAND_TOLERANCE:.0f}.",
        "",
    ]
    if not rows:
        return "\n".join(out + ["(no band runs)"]) + "\n"
    df = pd.DataFrame(rows)
    baseline = df[df["method"].isin(["six_week_avg", TRUE_RATE])]
    df = df[~df["method"].isin(["six_week_avg", TRUE_RATE])]
    table = []
    for (name, lead, method), g in df.groupby(["series", "lead_weeks", "method"], sort=True):
        pooled = g["inside"].sum() / g["observed"].sum()
        ok = abs(pooled - BAND_TARGET) <= BAND_TOLERANCE
        table.append([series[name].title, f"{lead} wk", method, len(g), f"{g['start'].min():%Y-%m-%d} .. {g['start'].max():%Y-%m-%d}",
                      int(g["observed"].sum()), pct(pooled), pct(g["coverage"].min()), pct(g["coverage"].max()),
                      pct(g["wape"].median()), pct(g["wape"].max()), "PASS" if ok else "FAIL"])  # fmt: skip
    out.append(md_table(["series", "lead", "method", "windows", "window starts", "observed intervals", "coverage",
                         "min window", "max window", "median WAPE", "worst WAPE", "80 ± 5 %"], table))  # fmt: skip
    if len(baseline):
        lead = BAND_LEADS_WEEKS[0]
        out += ["", f"Against the 6-week average (the bank benchmark's baseline) from the same origins, lead {lead} week; "
                "WAPE pooled over the windows (sum of absolute errors / sum of actuals):", ""]  # fmt: skip
        gains = []
        for name in series:
            base = baseline[(baseline["series"] == name) & (baseline["method"] == "six_week_avg")]
            if base.empty:
                continue
            base_wape = base["abs_error"].sum() / base["actual_total"].sum()
            compared = pd.concat([df[(df["series"] == name) & (df["lead_weeks"] == lead)],
                                  baseline[(baseline["series"] == name) & (baseline["method"] == TRUE_RATE)]])  # fmt: skip
            for method, g in compared.groupby("method", sort=True):
                wape = g["abs_error"].sum() / g["actual_total"].sum()
                gains.append([series[name].title, method, len(g), pct(wape), pct(base_wape), f"{100 * (wape / base_wape - 1):+.1f} %"])
        out.append(md_table(["series", "method", "windows", "WAPE", "6-week average", "vs 6-week average"], gains))
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------- main


def quiet_libraries() -> None:
    warnings.filterwarnings("ignore")
    for name in ("cmdstanpy", "prophet", "prophet.plot", "statsforecast"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    import prophet  # noqa: F401  (imports cmdstanpy, which sets up its log handler)

    logging.getLogger("cmdstanpy").disabled = True


def package_versions() -> str:
    from importlib.metadata import version

    names = ("pandas", "numpy", "prophet", "cmdstanpy", "statsforecast")
    return ", ".join(f"{n} {version(n)}" for n in names)


def main() -> int:
    global LEADS_WEEKS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", choices=["peak", "bands"], help="run one section (default: both)")
    ap.add_argument("--series", choices=SERIES, action="append", help="default: all three")
    ap.add_argument("--bands-years", type=float, default=2.5, help="band windows span (default 2.5 years)")
    ap.add_argument("--bands-step-weeks", type=int, default=4, help="weeks between band windows (default 4)")
    ap.add_argument(
        "--leads",
        default=",".join(map(str, LEADS_WEEKS)),
        help="peak-window leads in weeks, comma-separated (default 4,8,12: the issue's; others check that a result holds off them)",
    )
    ap.add_argument("--jobs", type=int, default=1, help="staffcast runs in parallel with the peers (default 1)")
    ap.add_argument("--no-build", action="store_true", help="use target/release/staffcast as it is")
    ap.add_argument("--no-staffcast", action="store_true", help="peers only")
    ap.add_argument("--keep-temp", action="store_true", help="keep target/peak_season/tmp")
    args = ap.parse_args()
    LEADS_WEEKS = tuple(int(x) for x in args.leads.split(",") if x.strip())

    started = time.time()
    entry = os.environ.get("PEAK_SEASON_ENTRY", sys.argv[0])
    env = [f"{k}={shlex.quote(os.environ[k])}" for k in ("STAFFCAST_BIN", "STAFFCAST_SHARED_DATA") if k in os.environ]
    command_line = " ".join([*env, *(shlex.quote(a) for a in [entry, *sys.argv[1:]])])
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    tmp = OUT_DIR / "tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)

    def log(msg: str) -> None:
        print(f"[{time.time() - started:6.0f} s] {msg}", file=sys.stderr, flush=True)

    quiet_libraries()
    data = shared_data_dir()
    loaders = {"traffic": load_traffic, "wiki": load_wiki, "small": load_small}
    series = {name: loaders[name](data) for name in (args.series or SERIES)}

    staffcast, label = None, "not run"
    if not args.no_staffcast:
        binary, label = staffcast_binary(args.no_build)
        staffcast = Staffcast(binary, tmp)
        log(f"staffcast {binary} ({label}); --origin {'supported' if staffcast.has_origin else 'absent'}; models {staffcast.models}")

    header = [
        "# Peak-season forecast accuracy: staffcast vs peers",
        "",
        f"- command: `{command_line}`",
        f"- date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M UTC}",
        f"- data: {data}/multi-year",
        f"- staffcast: {staffcast.binary if staffcast else '-'}, source {label}; "
        + (f"`--origin` {'passed' if staffcast.has_origin else 'not in this binary (history cut at the origin, --from = window start)'}; "
           f"models: {', '.join(staffcast.models)}" if staffcast else "not run"),
        f"- packages: {package_versions()}",
        "",
    ]  # fmt: skip
    sections = []
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        if args.only in (None, "peak"):
            case_rows, rows = run_peak(series, staffcast, pool, log)
            pd.DataFrame(rows).to_csv(OUT_DIR / "peak_scores.csv", index=False)
            sections.append(peak_report(series, case_rows, rows, staffcast.models if staffcast else []))
        if args.only in (None, "bands") and staffcast:
            band_rows = run_bands(series, staffcast, pool, args.bands_years, args.bands_step_weeks, log)
            pd.DataFrame(band_rows).to_csv(OUT_DIR / "band_scores.csv", index=False)
            sections.append(bands_report(series, band_rows, args.bands_years, args.bands_step_weeks))
    runtime = time.time() - started
    report = "\n".join(header) + "\n" + "\n".join(sections) + f"\nRuntime: {runtime / 60:.1f} min.\n"
    (OUT_DIR / "REPORT.md").write_text(report)
    print(report)
    if not args.keep_temp:
        shutil.rmtree(tmp, ignore_errors=True)
    log(f"done in {runtime:.0f} s; report at {OUT_DIR / 'REPORT.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
