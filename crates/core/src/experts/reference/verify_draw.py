# Reference verifier of yiwang-draw-v1 (Python 3 with an OpenSSL that has SM3).
# The algorithm is documented in crates/core/src/experts/draw.rs; this file recomputes a
# published DrawRecord from the revealed secret without any yiwang code.
import hashlib, json, struct, sys

def sm3(b): h = hashlib.new("sm3"); h.update(b); return h.digest()
def frame(b): return struct.pack(">Q", len(b)) + b
def u64(n): return struct.pack(">Q", n)

def canonical(v):  # ledger::canonical_json
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

def pool_digest(pool):
    b = frame(b"yiwang-draw-v1/pool") + u64(len(pool["lines"]))
    for line in pool["lines"]:
        for ids in (line["own"], line["fallback"]):
            b += u64(len(ids)) + b"".join(frame(i.encode()) for i in ids)
    return sm3(b).hex()

def seed(secret, request, pdigest, contributions):
    b = frame(b"yiwang-draw-v1/seed") + frame(secret)
    b += frame(sm3(canonical(request).encode()).hex().encode()) + frame(pdigest.encode())
    b += u64(len(contributions)) + b"".join(frame(c.encode()) for c in contributions)
    return sm3(b)

class Stream:
    def __init__(self, seed, pass_, line, pool):
        self.key = sm3(frame(b"yiwang-draw-v1/stream") + frame(seed)
                       + bytes([pass_]) + struct.pack(">I", line) + bytes([pool]))
        self.counter, self.buf = 0, []
    def next(self):
        if not self.buf:
            block = sm3(self.key + u64(self.counter)); self.counter += 1
            self.buf = [struct.unpack(">Q", block[i:i + 8])[0] for i in range(0, 32, 8)]
        return self.buf.pop(0)
    def below(self, n):
        rem = (2**64 % n)
        while True:
            x = self.next()
            if x < 2**64 - rem: return x % n
    def choose(self, n, k):
        a, out = list(range(n)), []
        for i in range(min(k, n)):
            j = i + self.below(n - i); a[i], a[j] = a[j], a[i]; out.append(a[i])
        return out

def draw(request, pool, s):
    taken, lines = set(), [{"members": [], "reserves": []} for _ in request["lines"]]
    for pass_, field, key in ((0, "count", "members"), (1, "reserve", "reserves")):
        for i, (line, lp) in enumerate(zip(request["lines"], pool["lines"])):
            want, got = line[field], []
            for which, ids in ((0, lp["own"]), (1, lp["fallback"])):
                if len(got) >= want: break
                free = [x for x in ids if x not in taken]
                for pos in Stream(s, pass_, i, which).choose(len(free), want - len(got)):
                    taken.add(free[pos])
                    got.append({"expert_id": free[pos], "from_fallback": which == 1})
            lines[i][key] = got
    return lines

def verify(record, secret_hex):
    secret = bytes.fromhex(secret_hex)
    assert sm3(frame(b"yiwang-draw-v1/commit") + frame(secret)).hex() == record["commitment"]
    assert pool_digest(record["pool"]) == record["pool_digest"]
    s = seed(secret, record["request"], record["pool_digest"], record["contributions"])
    assert s.hex() == record["result"]["seed"]
    assert draw(record["request"], record["pool"], s) == record["result"]["lines"]
    return "ok"

if __name__ == "__main__":
    # python3 verify_draw.py record.json SECRET_HEX   (record.json: a published DrawRecord)
    with open(sys.argv[1], encoding="utf-8") as f:
        print(verify(json.load(f), sys.argv[2]))
