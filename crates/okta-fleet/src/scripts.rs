//! The server-side Lua scripts (each runs atomically in Redis) and the keys they touch.
//!
//! Keys, all under `{namespace}:{org}:{principal}` (no secret: see
//! [`Scope`](okta_layers::rate_limit::Scope)), every one written with a TTL:
//!
//! | key | type | what | TTL |
//! | --- | --- | --- | --- |
//! | `…:{bucket}:w:{epoch}` | hash | the window's permits `granted`, budget `consumed` (as Okta reported it), permits of the previous window that may land in it (`carry`), the next paced slot `next` (ms, Redis clock) | 2 windows |
//! | `…:{bucket}:budget` | hash | the freshest observed budget: `epoch`, `limit`, `remaining`, `reset_ms` (Redis clock) | 2 windows |
//! | `…:{bucket}:block` | string | the bucket is blocked while it exists (set after a 429, for the wait) | the wait |
//!
//! and the org's concurrency slots under `{namespace}:{org}` (Okta's concurrency limit is
//! org-wide): `…:slots` (sorted set: replica → lease expiry, ms, Redis clock) and `…:slots:n`
//! (hash: replica → slots held), both expiring two leases after the last write.
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

/// Grants permits of one window (`KEYS`: window, budget, block, the previous window).
///
/// `ARGV`: wanted, cap (limit − reserve), consumed as this replica saw it, limit,
/// burst threshold (permits above it go at once), ms to the reset as this replica sees it, TTL
/// ms, the window's epoch, the window's length in seconds, requests this replica sent without a
/// permit since its last grant (probes of an unknown budget: counted as granted). A replica whose window the fleet's
/// tightest reset estimate says is over is told the next one (and no permit).
///
/// Returns `{granted, first slot delay ms, interval ms, blocked ms, fleet epoch, fleet limit,
/// fleet remaining, fleet ms to reset}` (the last four `-1` when the fleet knows no budget).
/// Above the burst threshold, a lease of up to `wanted` permits goes at once; below, the rest
/// is spread over the rest of the window: slots `(reset − next) ÷ available` apart, a lease of
/// at most a sixteenth of what is left (at least one). A window's first grant carries over the
/// previous window's permits not yet seen consumed (requests sent at its end may land in this
/// one).
const GRANT: &str = r"
local wanted, cap, seen, limit = num(ARGV[1]), num(ARGV[2]), num(ARGV[3]), num(ARGV[4])
local burst, to_reset, ttl, epoch = num(ARGV[5]), num(ARGV[6]), num(ARGV[7]), num(ARGV[8])
local step, unpermitted = num(ARGV[9]) * 1000, num(ARGV[10])
local now = now_ms()
local b = redis.call('HMGET', KEYS[2], 'epoch', 'limit', 'remaining', 'reset_ms')
local fleet = {-1, -1, -1, -1}
if b[1] then
  fleet = {num(b[1]), num(b[2]), num(b[3]), math.max(num(b[4]) - now, 0)}
  if fleet[1] == epoch and fleet[4] > 0 then to_reset = math.min(to_reset, fleet[4]) end
  if fleet[1] == epoch and fleet[4] == 0 and step > 0 then
    -- The fleet's tightest estimate of the reset has passed: the asker is a window late.
    local over = now - num(b[4])
    local next_epoch = epoch + (1 + math.floor(over / step)) * step / 1000
    return {0, 0, 0, 0, next_epoch, fleet[2], fleet[2], step - over % step}
  end
end
local blocked = redis.call('PTTL', KEYS[3])
if blocked > 0 then
  return {0, 0, 0, blocked, fleet[1], fleet[2], fleet[3], fleet[4]}
end
if fleet[1] > epoch then
  return {0, 0, 0, 0, fleet[1], fleet[2], fleet[3], fleet[4]}
end
local w = redis.call('HMGET', KEYS[1], 'granted', 'consumed', 'next', 'carry')
local carry = num(w[4])
if not w[4] then
  -- A new window: permits of the previous one not yet seen consumed there may land here.
  local p = redis.call('HMGET', KEYS[4], 'granted', 'consumed')
  carry = math.max(num(p[1]) - num(p[2]), 0)
  redis.call('HSET', KEYS[1], 'carry', carry)
end
local granted = num(w[1]) + unpermitted
if unpermitted > 0 then redis.call('HSET', KEYS[1], 'granted', granted) end
local consumed = math.max(num(w[2]), seen)
local used = math.max(granted + carry, consumed)
local available = cap - used
local n, delay, interval = 0, 0, 0
if available > 0 then
  if available > burst then
    n = math.min(wanted, available - burst)
  else
    local start = math.max(num(w[3]), now)
    local reset_at = now + to_reset
    if start < reset_at then
      interval = math.floor((reset_at - start) / available)
      n = math.min(wanted, math.max(1, math.floor(available / 16)))
      delay = start - now
      redis.call('HSET', KEYS[1], 'next', start + interval * n)
    end
  end
end
if n > 0 then
  redis.call('HSET', KEYS[1], 'granted', granted + n)
end
redis.call('PEXPIRE', KEYS[1], ttl)
return {n, delay, interval, 0, fleet[1], fleet[2], fleet[3], fleet[4]}
";

/// Records a response's budget (`KEYS`: budget, the window of its epoch).
///
/// `ARGV`: epoch, limit, remaining, ms to the reset as the replica saw it, TTL ms. A later
/// epoch replaces the budget; the same epoch keeps the smaller remaining and the earlier reset;
/// an earlier one (a straggler) is ignored. The window learns what Okta counted as consumed.
const RECORD: &str = r"
local epoch, limit, remaining, to_reset, ttl = num(ARGV[1]), num(ARGV[2]), num(ARGV[3]), num(ARGV[4]), num(ARGV[5])
local now = now_ms()
local b = redis.call('HMGET', KEYS[1], 'epoch', 'remaining', 'reset_ms')
local current = num(b[1])
if epoch > current or not b[1] then
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'limit', limit, 'remaining', remaining, 'reset_ms', now + to_reset)
elseif epoch == current then
  redis.call('HSET', KEYS[1], 'limit', limit, 'remaining', math.min(num(b[2]), remaining),
    'reset_ms', math.min(num(b[3]), now + to_reset))
end
redis.call('PEXPIRE', KEYS[1], ttl)
local consumed = math.max(limit - remaining, 0)
local w = num(redis.call('HGET', KEYS[2], 'consumed'))
if consumed > w then redis.call('HSET', KEYS[2], 'consumed', consumed) end
redis.call('PEXPIRE', KEYS[2], ttl)
return 1
";

/// Blocks a bucket fleet-wide for `ARGV[1]` ms, unless a longer block stands (`KEYS`: block).
const BLOCK: &str = r"
local wait = num(ARGV[1])
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
    pub(crate) slots: Script,
}

impl Scripts {
    pub(crate) fn new() -> Scripts {
        Scripts {
            grant: Script::new(&format!("{PRELUDE}{GRANT}")),
            record: Script::new(&format!("{PRELUDE}{RECORD}")),
            block: Script::new(&format!("{PRELUDE}{BLOCK}")),
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

    pub(crate) fn window(&self, bucket: &str, epoch: u64) -> String {
        format!("{}:{bucket}:w:{epoch}", self.principal)
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
            keys.window("users.read", 17),
            "okta:dev-1.okta.com_8443:token-ab12:users.read:w:17"
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
