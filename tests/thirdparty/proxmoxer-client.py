#!/usr/bin/python3
"""Drive a Proxmox VE API with proxmoxer, as a third-party client would.

Reads its settings as JSON on stdin (host, port, auth "token" or "password",
the credentials, and which guests to use), runs reads and writes through
proxmoxer, and prints one JSON object: for every step, what proxmoxer
returned, or {"error": "..."} when it raised. Used by
tests/thirdparty/proxmoxer.test.ts against `proxmox-mpc sim`.
"""
import json
import sys
import time

from proxmoxer import ProxmoxAPI


def connect(cfg):
    common = dict(port=cfg["port"], verify_ssl=False, timeout=10)
    if cfg["auth"] == "token":
        return ProxmoxAPI(cfg["host"], user=cfg["user"], token_name=cfg["token_name"], token_value=cfg["token_value"], **common)
    return ProxmoxAPI(cfg["host"], user=cfg["user"], password=cfg["password"], **common)


def wait(api, upid):
    """Poll a task until it stops, as a proxmoxer user does; the status object."""
    node = upid.split(":")[1]
    for _ in range(1000):
        status = api.nodes(node).tasks(upid).status.get()
        if status["status"] == "stopped":
            return status
        time.sleep(0.01)
    raise RuntimeError("task %s did not finish" % upid)


def rrd_summary(points):
    return {"points": len(points), "step": points[1]["time"] - points[0]["time"], "keys": sorted(points[-1].keys())}


def main():
    cfg = json.load(sys.stdin)
    api = connect(cfg)
    node, vmid, ctid = cfg["node"], cfg["vmid"], cfg["ctid"]
    vm = api.nodes(node).qemu(vmid)
    report = {}

    def step(name, fn):
        try:
            report[name] = fn()
        except Exception as e:  # report what the client raised; the test says which step failed
            report[name] = {"error": "%s: %s" % (type(e).__name__, e)}

    # Reads
    step("version", lambda: api.version.get())
    step("nodes", lambda: sorted(n["node"] for n in api.nodes.get()))
    step("resources", lambda: sorted(r["id"] for r in api.cluster.resources.get(type="vm")))
    step("pools", lambda: api.pools.get())
    step("pool_members", lambda: sorted(m["id"] for m in api.pools(cfg["pool"]).get()["members"]))
    step("config", lambda: vm.config.get())
    step("node_rrddata", lambda: rrd_summary(api.nodes(node).rrddata.get(timeframe="hour")))
    step("vm_rrddata", lambda: rrd_summary(vm.rrddata.get(timeframe="hour", cf="AVERAGE")))
    step("node_version", lambda: api.nodes(node).version.get())

    # Writes
    def create_ct():
        upid = api.nodes(node).lxc.create(vmid=ctid, ostemplate=cfg["template"], hostname="pxr-%d" % ctid, storage="local-lvm", rootfs=4, mp0="2,mp=/data")
        status = wait(api, upid)
        conf = api.nodes(node).lxc(ctid).config.get()
        return {"upid": upid, "exitstatus": status["exitstatus"], "rootfs": conf.get("rootfs"), "mp0": conf.get("mp0")}

    def resize():
        upid = vm.resize.put(disk="scsi0", size="+2G")
        status = wait(api, upid)
        return {"upid": upid, "exitstatus": status["exitstatus"], "scsi0": vm.config.get()["scsi0"]}

    def unlink():
        result = vm.unlink.put(idlist=cfg["unlink"], force=cfg["force"])
        conf = vm.config.get()
        return {"result": result, "still_there": cfg["unlink"] in conf, "unused": {k: v for k, v in conf.items() if k.startswith("unused")}}

    def cipassword():
        vm.config.put(cipassword=cfg["cipassword"])
        return {"config": vm.config.get().get("cipassword"), "pending": [p["value"] for p in vm.pending.get() if p["key"] == "cipassword"]}

    step("create_ct", create_ct)
    step("resize", resize)
    step("unlink", unlink)
    step("cipassword", cipassword)
    step("tasks", lambda: [t["upid"] for t in api.cluster.tasks.get()])
    print(json.dumps(report))


if __name__ == "__main__":
    main()
