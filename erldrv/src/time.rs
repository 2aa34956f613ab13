//! Erlang time, as the VM keeps it: [`monotonic_time`] (`erl_drv_monotonic_time`), the
//! [`time_offset`] to system time (`erl_drv_time_offset`), their sum [`system_time`], and
//! [`convert_time_unit`] (`erl_drv_convert_time_unit`).
//!
//! These are the values `erlang:monotonic_time/1`, `erlang:time_offset/1` and
//! `erlang:system_time/1` return, so a driver's time stamps compare with the Erlang side's.
//! The VM answers the first three on scheduler threads only, which is where every callback
//! that gets a [`Port`](crate::Port) runs; elsewhere (a worker thread, an async job) they
//! are `None`: use `std::time::Instant` there.
//!
//! # Instead of `driver_get_now`
//! `driver_get_now` is deprecated in OTP (it is `erlang:now/0`, with its unique, strictly
//! increasing and therefore skewed values) and has no counterpart here. For a time stamp,
//! take [`system_time`]; for measuring intervals, [`monotonic_time`]. The old
//! `{MegaSecs, Secs, MicroSecs}` triple of `driver_get_now` is
//! `system_time(TimeUnit::Microsecond)` split at 10^12 and 10^6.
//!
//! ```no_run
//! use erldrv::time::{TimeUnit, monotonic_time, system_time};
//! # fn f() -> Option<()> {
//! let start = monotonic_time(TimeUnit::Microsecond)?;
//! // ... work ...
//! let took_us = monotonic_time(TimeUnit::Microsecond)? - start;
//! let now_us = system_time(TimeUnit::Microsecond)?;
//! let (mega, secs, micro) = (now_us / 1_000_000_000_000, now_us / 1_000_000 % 1_000_000, now_us % 1_000_000);
//! # Some(()) }
//! ```

use erldrv_sys as sys;

/// A unit of time (`ErlDrvTimeUnit`): the unit a time value is given in. Erlang's native
/// unit is not among them: the driver API has no name for it.
///
/// ```
/// use erldrv::time::TimeUnit;
/// assert_eq!(TimeUnit::Millisecond.as_raw(), erldrv::sys::ERL_DRV_MSEC);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    /// `ERL_DRV_SEC`, Erlang's `second`.
    Second,
    /// `ERL_DRV_MSEC`, Erlang's `millisecond`.
    Millisecond,
    /// `ERL_DRV_USEC`, Erlang's `microsecond`.
    Microsecond,
    /// `ERL_DRV_NSEC`, Erlang's `nanosecond`.
    Nanosecond,
}

impl TimeUnit {
    /// The C value of the unit.
    pub fn as_raw(self) -> sys::ErlDrvTimeUnit {
        match self {
            TimeUnit::Second => sys::ERL_DRV_SEC,
            TimeUnit::Millisecond => sys::ERL_DRV_MSEC,
            TimeUnit::Microsecond => sys::ERL_DRV_USEC,
            TimeUnit::Nanosecond => sys::ERL_DRV_NSEC,
        }
    }

    /// Units of this kind in one second.
    fn per_second(self) -> i128 {
        match self {
            TimeUnit::Second => 1,
            TimeUnit::Millisecond => 1_000,
            TimeUnit::Microsecond => 1_000_000,
            TimeUnit::Nanosecond => 1_000_000_000,
        }
    }
}

/// `value` in `to`, rounded down, computed without overflow: `None` when it does not fit
/// an `i64` or is `i64::MIN` (the VM's error value).
fn converted(value: i64, from: TimeUnit, to: TimeUnit) -> Option<i64> {
    let exact = i128::from(value) * to.per_second();
    let result = i64::try_from(exact.div_euclid(from.per_second())).ok()?;
    (result != i64::MIN).then_some(result)
}

/// The VM's answer, or `None` for its error value.
fn checked(t: sys::ErlDrvTime) -> Option<i64> {
    (t != sys::ERL_DRV_TIME_ERROR).then_some(t)
}

/// Erlang monotonic time in `unit` (`erl_drv_monotonic_time`), the value
/// `erlang:monotonic_time(Unit)` returns at this instant. Often negative: only differences
/// mean something. `None` off a scheduler thread (see the [module docs](self)).
///
/// ```no_run
/// use erldrv::time::{TimeUnit, monotonic_time};
/// let t = monotonic_time(TimeUnit::Millisecond);
/// ```
pub fn monotonic_time(unit: TimeUnit) -> Option<i64> {
    // SAFETY: takes a valid unit and no pointers; the VM checks the calling thread itself
    // and answers ERL_DRV_TIME_ERROR on a thread that is not a scheduler.
    checked(unsafe { sys::erl_drv_monotonic_time(unit.as_raw()) })
}

/// The offset between Erlang monotonic time and Erlang system time in `unit`
/// (`erl_drv_time_offset`), as `erlang:time_offset(Unit)`: system time is monotonic time
/// plus this. It stays fixed in the VM's default time warp mode (`no_time_warp`). `None`
/// off a scheduler thread.
///
/// ```no_run
/// use erldrv::time::{TimeUnit, time_offset};
/// let offset = time_offset(TimeUnit::Nanosecond);
/// ```
pub fn time_offset(unit: TimeUnit) -> Option<i64> {
    // SAFETY: as in `monotonic_time`.
    checked(unsafe { sys::erl_drv_time_offset(unit.as_raw()) })
}

/// Erlang system time in `unit`, as `erlang:system_time(Unit)`: [`monotonic_time`] plus
/// [`time_offset`], added in nanoseconds and then rounded down to `unit` (rounding each
/// first could land one unit early). `None` off a scheduler thread.
///
/// ```no_run
/// use erldrv::time::{TimeUnit, system_time};
/// // Milliseconds since the Unix epoch, by the VM's clock.
/// let now_ms = system_time(TimeUnit::Millisecond);
/// ```
pub fn system_time(unit: TimeUnit) -> Option<i64> {
    let ns = TimeUnit::Nanosecond;
    // Nanoseconds since 1970 fit an i64 until 2262.
    let now = monotonic_time(ns)?.checked_add(time_offset(ns)?)?;
    convert_time_unit(now, ns, unit)
}

/// Converts `value` from the unit `from` to the unit `to`, rounding down (towards negative
/// infinity), as `erlang:convert_time_unit/3` (`erl_drv_convert_time_unit`). `None` when
/// the result does not fit in an `i64` (the VM's own conversion would wrap around then), or
/// would be `i64::MIN`, which the VM reserves for its error value. Works on any thread.
///
/// ```no_run
/// use erldrv::time::{TimeUnit, convert_time_unit};
/// assert_eq!(convert_time_unit(1_999, TimeUnit::Millisecond, TimeUnit::Second), Some(1));
/// assert_eq!(convert_time_unit(-1, TimeUnit::Millisecond, TimeUnit::Second), Some(-1));
/// assert_eq!(convert_time_unit(i64::MAX, TimeUnit::Second, TimeUnit::Nanosecond), None);
/// ```
pub fn convert_time_unit(value: i64, from: TimeUnit, to: TimeUnit) -> Option<i64> {
    converted(value, from, to)?;
    // SAFETY: valid units and no pointers; pure arithmetic in the VM, callable from any
    // thread. The result fits (checked above), so the VM does not overflow.
    checked(unsafe { sys::erl_drv_convert_time_unit(value, from.as_raw(), to.as_raw()) })
}

#[cfg(test)]
mod tests {
    use super::{TimeUnit, converted};

    #[test]
    fn conversion_rounds_down_and_refuses_overflow() {
        use TimeUnit::*;
        assert_eq!(converted(1_999, Millisecond, Second), Some(1));
        assert_eq!(converted(-1, Millisecond, Second), Some(-1));
        assert_eq!(converted(-1_000, Millisecond, Second), Some(-1));
        assert_eq!(converted(-1_001, Millisecond, Second), Some(-2));
        assert_eq!(converted(3, Second, Nanosecond), Some(3_000_000_000));
        assert_eq!(converted(i64::MAX, Nanosecond, Second), Some(9_223_372_036));
        assert_eq!(converted(i64::MAX, Second, Millisecond), None);
        assert_eq!(converted(i64::MIN, Second, Second), None);
        assert_eq!(converted(i64::MIN / 1000 - 1, Second, Millisecond), None);
    }

    #[test]
    fn units_match_the_header() {
        assert_eq!(TimeUnit::Second.as_raw(), erldrv_sys::ERL_DRV_SEC);
        assert_eq!(TimeUnit::Nanosecond.as_raw(), erldrv_sys::ERL_DRV_NSEC);
        assert_eq!(TimeUnit::Microsecond.per_second(), 1_000_000);
    }
}
