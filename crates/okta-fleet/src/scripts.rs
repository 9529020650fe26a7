//! The server-side Lua scripts (each runs atomically in Redis) and the keys they touch.
//!
//! The keys they touch are listed in the [crate docs](crate#keys).
//!
//! Times are Redis's own (`TIME`): replicas pass durations, never their clocks.

use redis::Script;

/// Redis's clock in milliseconds, and a number argument (absent or garbled: 0).
const PRELUDE: &str = r"
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function num(v)
  return tonumber(v) or 0
end
";

/// Where the fleet is in Okta's windows (`KEYS[2]`: budget): the budget hash's fields, and the
/// window that is current on Redis's clock, `{epoch, reset_ms}`, or `nil` when no response was
/// recorded yet. Okta's resets are epoch seconds on Okta's clock; `offset` (Okta's clock minus
/// Redis's, learnt from `Date`) puts them on Redis's.
const FLEET_WINDOW: &str = r"
local function fleet_window(now, step)
  local b = redis.call('HMGET', KEYS[2], 'epoch', 'limit', 'remaining', 'reset_ms')
  if not b[1] then return b, nil end
  local epoch, reset = num(b[1]), num(b[4])
  if now >= reset and step > 0 then
    local k = 1 + math.floor((now - reset) / step)
    epoch = epoch + k * step / 1000
    reset = reset + k * step
  end
  return b, {epoch, reset}
end
";

/// Grants permits of the current window (`KEYS`: the bucket's key prefix, budget, block).
///
/// `ARGV`: wanted, limit, cap (limit − reserve), burst threshold (permits above it go at
/// once), this replica's window epoch, what it saw consumed of it, its ms to that window's
/// reset, the window's length in seconds, TTL ms, requests it sent without a permit since its
/// last grant (probes of an unknown budget: counted as granted), the guard ms before a reset.
///
/// The window is the fleet's (the freshest recorded, rolled forward on Redis's clock), else
/// the replica's. No permit within the guard before a reset: a request granted then would land
/// in the next window. Above the burst threshold, a lease of up to `wanted` permits goes at
/// once; below, the rest of the window's budget is spread over the rest of the window, a lease
/// of slots `(reset − next) ÷ available` apart, at most a quarter of what is left.
///
/// When the current window has nothing left (or is within the guard of its reset), the lease is
/// of the next window's burst, its first slot at the reset: requests waiting for the reset go
/// at once then, with no round trip after it.
///
/// Returns `{granted, first slot delay ms, interval ms, blocked ms, epoch, limit, remaining,
/// ms to reset, lease epoch, ms to the lease window's reset}`: what the fleet knows of the
/// current window, and the window the permits count against.
const GRANT: &str = r"
local wanted, limit, cap, burst = num(ARGV[1]), num(ARGV[2]), num(ARGV[3]), num(ARGV[4])
local asked, seen, to_reset, step = num(ARGV[5]), num(ARGV[6]), num(ARGV[7]), num(ARGV[8]) * 1000
local ttl, unpermitted, guard = num(ARGV[9]), num(ARGV[10]), num(ARGV[11])
local now = now_ms()
local b, current = fleet_window(now, step)
local epoch, reset, remaining = asked, now + to_reset, limit - seen
if current then
  if current[1] == asked then reset = math.min(current[2], reset) else reset = current[2] end
  epoch = current[1]
  if num(b[2]) > 0 then limit = num(b[2]) end
  remaining = limit
  if epoch == num(b[1]) then remaining = num(b[3]) end
  if epoch ~= asked then seen = 0 end
end
local left = math.max(reset - now, 0)
local blocked = redis.call('PTTL', KEYS[3])
if blocked > 0 then
  return {0, 0, 0, blocked, epoch, limit, remaining, left, epoch, left}
end
-- Takes up to `wanted` permits of window `e`, usable from `from` until `finish` (Redis ms);
-- `early`: the window has not begun (only its burst is leased).
local function take(e, from, finish, seen_here, unpermitted_here, early)
  local key = KEYS[1] .. ':w:' .. e
  local w = redis.call('HMGET', key, 'granted', 'consumed', 'next')
  local granted = num(w[1]) + unpermitted_here
  local used = math.max(granted, num(w[2]), seen_here)
  local available = cap - used
  local n, delay, interval = 0, 0, 0
  if available > burst then
    n = math.min(wanted, available - burst)
    delay = from - now
  elseif available > 0 and not early then
    local start = math.max(num(w[3]), from)
    if start < finish then
      interval = math.floor((finish - start) / available)
      n = math.min(wanted, math.max(1, math.floor(available / 4)))
      delay = start - now
      redis.call('HSET', key, 'next', start + interval * n)
    end
  end
  if n + unpermitted_here > 0 then
    redis.call('HSET', key, 'granted', granted + n)
  end
  redis.call('PEXPIRE', key, ttl)
  return n, delay, interval
end
local n, delay, interval = 0, 0, 0
if left > guard then
  n, delay, interval = take(epoch, now, reset - guard, seen, unpermitted, false)
end
if n > 0 then
  return {n, delay, interval, 0, epoch, limit, remaining, left, epoch, left}
end
-- This window is spent or about to reset: a lease of the next one's burst, from its start.
local next_epoch, next_reset = epoch + step / 1000, reset + step
n, delay, interval = take(next_epoch, reset + 1, next_reset - guard, 0, 0, true)
return {n, delay, interval, 0, epoch, limit, remaining, left, next_epoch, left + step}
";

/// Records a response's budget (`KEYS`: budget, the key prefix of its bucket).
///
/// `ARGV`: epoch, limit, remaining, ms to the reset as the replica saw it, TTL ms, the
/// response's `Date` in epoch seconds (0: none). A later epoch replaces the budget; the same
/// epoch keeps the smaller remaining and the earlier reset; an earlier one (a straggler) is
/// ignored. The window learns what Okta counted as consumed. `Date` teaches the offset of
/// Okta's clock from Redis's (a lower bound: the response was dated before it was recorded;
/// the largest wins, sliding down 1 ms a second so a clock that steps back is followed), which
/// places Okta's resets on Redis's clock to the millisecond.
const RECORD: &str = r"
local epoch, limit, remaining, to_reset = num(ARGV[1]), num(ARGV[2]), num(ARGV[3]), num(ARGV[4])
local ttl, date = num(ARGV[5]), num(ARGV[6])
local now = now_ms()
local b = redis.call('HMGET', KEYS[1], 'epoch', 'remaining', 'reset_ms', 'offset', 'offset_at')
local offset = nil
if b[4] then offset = num(b[4]) - math.floor((now - num(b[5])) / 1000) end
if date > 0 then
  local lower = date * 1000 - now
  if not offset or lower > offset then offset = lower end
end
if offset then redis.call('HSET', KEYS[1], 'offset', offset, 'offset_at', now) end
local reset = now + to_reset
if offset then reset = math.min(reset, epoch * 1000 - offset) end
local current = num(b[1])
if epoch > current or not b[1] then
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'limit', limit, 'remaining', remaining, 'reset_ms', reset)
elseif epoch == current then
  redis.call('HSET', KEYS[1], 'limit', limit, 'remaining', math.min(num(b[2]), remaining),
    'reset_ms', math.min(num(b[3]), reset))
end
redis.call('PEXPIRE', KEYS[1], ttl)
local window = KEYS[2] .. ':w:' .. epoch
local consumed = math.max(limit - remaining, 0)
if consumed > num(redis.call('HGET', window, 'consumed')) then
  redis.call('HSET', window, 'consumed', consumed)
end
redis.call('PEXPIRE', window, ttl)
return 1
";

/// Adjusts a window's permits granted by `ARGV[1]` (`KEYS`: the window; `ARGV[2]`: TTL ms):
/// negative to give back what a lease left unused, positive to count requests that landed in
/// this window with a permit of the previous one.
const ADJUST: &str = r"
local n = num(ARGV[1])
local granted = math.max(num(redis.call('HGET', KEYS[1], 'granted')) + n, 0)
redis.call('HSET', KEYS[1], 'granted', granted)
redis.call('PEXPIRE', KEYS[1], num(ARGV[2]))
return granted
";

/// Blocks a bucket fleet-wide for `ARGV[1]` ms, unless a longer block stands (`KEYS`: block,
/// budget). When the fleet knows the offset of Okta's clock, the block ends at the 429's reset
/// (`ARGV[2]`, epoch seconds) on Redis's clock, plus up to `ARGV[3]` ms of jitter, if that is
/// sooner: `Reset − Date` counts whole seconds, the offset does not.
const BLOCK: &str = r"
local wait, reset, jitter = num(ARGV[1]), num(ARGV[2]), num(ARGV[3])
local now = now_ms()
local b = redis.call('HMGET', KEYS[2], 'offset', 'offset_at')
if b[1] and reset > 0 then
  local offset = num(b[1]) - math.floor((now - num(b[2])) / 1000)
  wait = math.min(wait, reset * 1000 - offset - now + math.random(0, math.max(jitter, 0)))
end
if wait <= 0 then return 0 end
if redis.call('PTTL', KEYS[1]) < wait then
  redis.call('SET', KEYS[1], 1, 'PX', wait)
end
return 1
";

/// Frees the slots of replicas whose lease expired (`KEYS`: slots, slots:n; `now` in ms).
const PURGE: &str = r"
local function purge(now)
  local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
  for _, replica in ipairs(dead) do
    redis.call('HDEL', KEYS[2], replica)
    redis.call('ZREM', KEYS[1], replica)
  end
  local total = 0
  local held = redis.call('HVALS', KEYS[2])
  for _, n in ipairs(held) do total = total + num(n) end
  return total
end
";

/// Takes, gives back or renews concurrency slots (`KEYS`: slots, slots:n).
///
/// `ARGV`: replica, change (> 0: take up to that many; < 0: give back; 0: renew), limit, lease
/// ms. Every call renews the replica's lease. Returns `{taken, held}`.
const SLOTS: &str = r"
local replica, change, limit, lease = ARGV[1], num(ARGV[2]), num(ARGV[3]), num(ARGV[4])
local now = now_ms()
local total = purge(now)
local mine = num(redis.call('HGET', KEYS[2], replica))
local taken = 0
if change > 0 then
  taken = math.max(0, math.min(change, limit - total))
elseif change < 0 then
  taken = math.max(change, -mine)
end
mine = mine + taken
if mine > 0 then
  redis.call('HSET', KEYS[2], replica, mine)
  redis.call('ZADD', KEYS[1], now + lease, replica)
else
  redis.call('HDEL', KEYS[2], replica)
  redis.call('ZREM', KEYS[1], replica)
end
redis.call('PEXPIRE', KEYS[1], lease * 2)
redis.call('PEXPIRE', KEYS[2], lease * 2)
return {taken, mine}
";

/// The scripts, hashed once (`redis::Script` sends `EVALSHA`, and the source again after a
/// restart or `SCRIPT FLUSH` answered `NOSCRIPT`).
pub(crate) struct Scripts {
    pub(crate) grant: Script,
    pub(crate) record: Script,
    pub(crate) block: Script,
    pub(crate) adjust: Script,
    pub(crate) slots: Script,
}

impl Scripts {
    pub(crate) fn new() -> Scripts {
        Scripts {
            grant: Script::new(&format!("{PRELUDE}{FLEET_WINDOW}{GRANT}")),
            record: Script::new(&format!("{PRELUDE}{RECORD}")),
            block: Script::new(&format!("{PRELUDE}{BLOCK}")),
            adjust: Script::new(&format!("{PRELUDE}{ADJUST}")),
            slots: Script::new(&format!("{PRELUDE}{PURGE}{SLOTS}")),
        }
    }
}

/// The keys of one org and principal.
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    /// `{namespace}:{org}:{principal}`.
    principal: String,
    /// `{namespace}:{org}`.
    org: String,
}

/// A key component with `:` and anything but printable ASCII replaced (an org host or a
/// principal name never holds them, but a key must not be split by one).
fn part(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != ':' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl Keys {
    pub(crate) fn new(namespace: &str, org: &str, principal: &str) -> Keys {
        let org = format!("{}:{}", part(namespace), part(org));
        Keys {
            principal: format!("{org}:{}", part(principal)),
            org,
        }
    }

    /// The prefix of a bucket's keys; its windows are `{prefix}:w:{epoch}`.
    pub(crate) fn bucket(&self, bucket: &str) -> String {
        format!("{}:{bucket}", self.principal)
    }

    pub(crate) fn budget(&self, bucket: &str) -> String {
        format!("{}:{bucket}:budget", self.principal)
    }

    pub(crate) fn block(&self, bucket: &str) -> String {
        format!("{}:{bucket}:block", self.principal)
    }

    pub(crate) fn slots(&self) -> (String, String) {
        (
            format!("{}:slots", self.org),
            format!("{}:slots:n", self.org),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_namespaced_by_org_and_principal_and_cannot_be_split() {
        let keys = Keys::new("okta", "dev-1.okta.com:8443", "token-ab12");
        assert_eq!(
            keys.bucket("users.read"),
            "okta:dev-1.okta.com_8443:token-ab12:users.read"
        );
        assert_eq!(
            keys.slots().0,
            "okta:dev-1.okta.com_8443:slots",
            "slots are the org's"
        );
        let odd = Keys::new("okta", "a b", "x:y\n");
        assert_eq!(odd.block("other"), "okta:a_b:x_y_:other:block");
    }
}
