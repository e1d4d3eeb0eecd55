#!/usr/bin/env python3
"""A pipelined download storm on the resource port (review 3, N4), measured from outside.

Against a running embedded default (`imchat-server all --data-dir imchat-data`): registers an
account (its code read from the mail files), uploads a 1 MiB avatar, then on one connection
writes REQUESTS download requests (1033, a ~44 KB reply each) without reading a byte for
HOLD seconds, sampling the server's resident memory (VmRSS of PID); then reads every reply.

    python3 docs/examples/res-storm.py --pid $(pgrep -f 'imchat-server all') --requests 20000

Prints the server's RSS before, its peak while the replies were not read, and after; and
the replies read (all of them, or it fails). Standard library only.
"""
import argparse, base64, glob, hashlib, json, os, socket, struct, threading, time, urllib.request

def xor_form(password):
    units = password.encode("utf-16-le")
    n = len(units) // 2
    key = n % 255
    out = bytearray(units)
    for i in range(0, len(out), 2):
        out[i] ^= key
    return out.decode("utf-16-le")

def post(gate, route, body):
    req = urllib.request.Request(gate + route, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as rsp:
        reply = json.loads(rsp.read())
    if reply.get("error"):
        raise SystemExit(f"{route}: {reply}")
    return reply

def code_for(mail_dir, email):
    for _ in range(100):
        mails = [m for m in glob.glob(os.path.join(mail_dir, "*.eml")) if email in open(m, errors="replace").read()]
        if mails:
            text = open(max(mails, key=os.path.getmtime), errors="replace").read()
            return text.split("code is ")[1][:6]
        time.sleep(0.1)
    raise SystemExit("no code mailed")

def frame(msg_id, body):
    data = json.dumps(body).encode()
    return struct.pack(">HI", msg_id, len(data)) + data

def read_frame(sock):
    def exact(n):
        buf = b""
        while len(buf) < n:
            chunk = sock.recv(n - len(buf))
            if not chunk:
                raise SystemExit("the server closed the connection")
            buf += chunk
        return buf
    msg_id, length = struct.unpack(">HI", exact(6))
    return msg_id, json.loads(exact(length))

def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gate", default="http://127.0.0.1:8080")
    ap.add_argument("--mail-dir", default="imchat-data/mail")
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--requests", type=int, default=20000)
    ap.add_argument("--hold", type=float, default=10.0)
    a = ap.parse_args()

    tag = os.urandom(3).hex()
    email, password = f"storm{tag}@example.com", "storm-pw-" + tag
    post(a.gate, "/get_varifycode", {"email": email})
    code = code_for(a.mail_dir, email)
    post(a.gate, "/user_register", {"email": email, "user": "storm" + tag, "passwd": xor_form(password),
                                    "confirm": xor_form(password), "varifycode": code, "icon": ""})
    login = post(a.gate, "/user_login", {"email": email, "passwd": xor_form(password)})
    uid, token, res = login["uid"], login["token"], (login["reshost"], int(login["resport"]))

    # A 1 MiB avatar to download again and again.
    data = bytes((i * 7) % 251 for i in range(1 << 20))
    md5, name = hashlib.md5(data).hexdigest(), f"storm-{tag}.png"
    up = socket.create_connection(res)
    chunks = (len(data) + 32767) // 32768
    for seq in range(1, chunks + 1):
        part = data[(seq - 1) * 32768: seq * 32768]
        body = {"name": name, "seq": seq, "trans_size": len(part), "total_size": len(data), "md5": md5,
                "uid": uid, "token": token, "last": int(seq == chunks), "data": base64.b64encode(part).decode()}
        up.sendall(frame(1031, body))
        _, reply = read_frame(up)
        if reply.get("error"):
            raise SystemExit(f"upload: {reply}")

    storm = socket.create_connection(res)
    storm.sendall(frame(1150, {"uid": uid, "token": token}))
    read_frame(storm)
    requests = b"".join(frame(1033, {"name": name, "seq": n % chunks + 1, "uid": uid}) for n in range(a.requests))
    before = rss_kib(a.pid)
    writer = threading.Thread(target=storm.sendall, args=(requests,))
    writer.start()
    peak, end = before, time.time() + a.hold
    while time.time() < end:
        peak = max(peak, rss_kib(a.pid))
        time.sleep(0.05)
    replies = 0
    for _ in range(a.requests):
        msg_id, reply = read_frame(storm)
        if msg_id != 1034 or reply.get("error"):
            raise SystemExit(f"reply {replies}: {msg_id} {reply}")
        replies += 1
    writer.join()
    after = rss_kib(a.pid)
    print(json.dumps({"requests": a.requests, "bytes_asked_mib": round(a.requests * 44 / 1024, 1),
                      "rss_before_kib": before, "rss_peak_kib": peak, "rss_after_kib": after,
                      "replies_read": replies}))

if __name__ == "__main__":
    main()
