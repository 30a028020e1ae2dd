#!/usr/bin/env python3
"""Builds a base image for Warden from this machine's JDK, with no registry and no Docker daemon.

Jib (the `image` Maven profile) takes its base either from a registry or from a docker-save
tarball (`-Dwarden.image.base=tar:///path`). Where no registry can be reached, this script makes
that tarball: a runtime linked by `jlink` from the JDK named by JAVA_HOME (JDK 24+ links without
jmods), the C libraries it and Warden's bundled native code load (found with `ldd`, copied from
this machine), /etc/passwd and /etc/group with a `nonroot` user 65532, /tmp and /var/lib/warden.
One layer, root-owned except /var/lib/warden (65532, 0700), timestamps fixed, so the same inputs give the same bytes.

    deploy/image/host-base-image.py /tmp/warden-base.tar [--jar warden-cli/target/warden.jar]

The image is as current as this machine's JDK and C library: for production prefer a maintained base
from your registry (the profile's default), and rebuild either when they get security fixes.
"""
import argparse
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile

# java.se plus what Warden uses beyond it: SO_PEERCRED (jdk.net), the agent's status server
# (jdk.httpserver), sun.misc.Unsafe (jdk.unsupported: protobuf, Netty), JFR and jcmd for diagnosis
MODULES = ["java.se", "jdk.attach", "jdk.charsets", "jdk.crypto.ec", "jdk.httpserver", "jdk.jcmd", "jdk.jfr",
           "jdk.management", "jdk.management.jfr", "jdk.naming.dns", "jdk.net", "jdk.security.auth",
           "jdk.security.jgss", "jdk.unsupported", "jdk.zipfs"]
JAVA_DIR = "opt/java"
EPOCH = 0


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def shared_libraries(paths):
    """Every library `ldd` resolves for these ELF files, with the dynamic loader: absolute paths."""
    found = set()
    for p in paths:
        out = subprocess.run(["ldd", p], capture_output=True, text=True).stdout
        for line in out.splitlines():
            m = re.search(r"=>\s+(/\S+)", line) or re.match(r"\s*(/\S+)\s+\(", line)
            if m:
                found.add(m.group(1))
    return sorted(found)


def elf_files(root):
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            if not os.path.islink(p) and os.path.isfile(p):
                with open(p, "rb") as fh:
                    if fh.read(4) == b"\x7fELF":
                        yield p


def add_file(tar, path_in_image, data, mode=0o644, uid=0, gid=0):
    info = tarfile.TarInfo(path_in_image)
    info.size, info.mode, info.mtime, info.uid, info.gid = len(data), mode, EPOCH, uid, gid
    tar.addfile(info, io.BytesIO(data))


def add_dir(tar, path_in_image, mode=0o755, uid=0, gid=0):
    info = tarfile.TarInfo(path_in_image)
    info.type, info.mode, info.mtime, info.uid, info.gid = tarfile.DIRTYPE, mode, EPOCH, uid, gid
    tar.addfile(info)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("output", help="the docker-save tarball to write")
    ap.add_argument("--jar", default="warden-cli/target/warden.jar",
                    help="Warden's jar, for the native libraries it bundles [%(default)s]")
    ap.add_argument("--tag", default="warden-base:host", help="the image's name inside the tarball [%(default)s]")
    args = ap.parse_args()
    java_home = os.environ.get("JAVA_HOME") or sys.exit("set JAVA_HOME to a JDK 24 or newer")
    work = tempfile.mkdtemp(prefix="warden-base-")
    try:
        runtime = os.path.join(work, "java")
        run(os.path.join(java_home, "bin", "jlink"), "--add-modules", ",".join(MODULES), "--strip-debug",
            "--no-man-pages", "--no-header-files", "--generate-cds-archive", "--output", runtime)
        # a server has no display or sound card: without these, no X11 or ALSA library is needed
        for gui in ("libawt_xawt.so", "libjsound.so", "libsplashscreen.so"):
            if os.path.exists(os.path.join(runtime, "lib", gui)):
                os.remove(os.path.join(runtime, "lib", gui))
        natives = os.path.join(work, "native")
        os.makedirs(natives)
        if os.path.isfile(args.jar):
            with zipfile.ZipFile(args.jar) as z:
                for n in z.namelist():
                    if n.startswith("META-INF/native/") and n.endswith(".so") and "x86_64" in n:
                        z.extract(n, natives)
        libs = shared_libraries(list(elf_files(runtime)) + list(elf_files(natives)))
        libs = [l for l in libs if not l.startswith(runtime)]
        version = subprocess.run([os.path.join(runtime, "bin", "java"), "-version"], capture_output=True,
                                 text=True).stderr.splitlines()[0]

        layer = os.path.join(work, "layer.tar")
        with tarfile.open(layer, "w", format=tarfile.PAX_FORMAT) as tar:
            dirs = {"etc", "tmp", "var", "var/lib", "opt"}
            for lib in libs:
                parts = os.path.dirname(lib).strip("/").split("/")
                dirs.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
            for d in sorted(dirs):
                add_dir(tar, d, 0o1777 if d == "tmp" else 0o755)
            add_dir(tar, "var/lib/warden", 0o700, 65532, 65532)
            add_file(tar, "etc/passwd", b"root:x:0:0:root:/root:/sbin/nologin\n"
                     b"nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")
            add_file(tar, "etc/group", b"root:x:0:\nnonroot:x:65532:\n")
            add_file(tar, "etc/nsswitch.conf", b"passwd: files\ngroup: files\nhosts: files dns\n")
            for lib in libs:
                real = os.path.realpath(lib)
                with open(real, "rb") as fh:
                    add_file(tar, lib.lstrip("/"), fh.read(), 0o755)
            for d, subdirs, files in sorted(os.walk(runtime)):
                rel = os.path.relpath(d, runtime)
                target = JAVA_DIR if rel == "." else JAVA_DIR + "/" + rel
                add_dir(tar, target)
                subdirs.sort()
                for f in sorted(files):
                    p = os.path.join(d, f)
                    with open(p, "rb") as fh:
                        add_file(tar, target + "/" + f, fh.read(), os.stat(p).st_mode & 0o777)
        with open(layer, "rb") as fh:
            diff_id = "sha256:" + hashlib.sha256(fh.read()).hexdigest()
        config = json.dumps({
            "architecture": "amd64", "os": "linux", "created": "1970-01-01T00:00:00Z",
            "config": {"Env": ["PATH=/opt/java/bin:/usr/bin:/bin", "JAVA_HOME=/opt/java"], "User": "65532:65532"},
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
            "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "deploy/image/host-base-image.py: jlink of "
                         + java_home + " (" + version.strip() + ") and " + str(len(libs)) + " libraries of this machine"}],
        }, sort_keys=True).encode()
        config_name = hashlib.sha256(config).hexdigest() + ".json"
        manifest = json.dumps([{"Config": config_name, "RepoTags": [args.tag], "Layers": ["layer.tar"]}]).encode()
        with tarfile.open(args.output, "w") as out:
            add_file(out, config_name, config)
            add_file(out, "manifest.json", manifest)
            out.add(layer, "layer.tar", filter=lambda i: setattr(i, "mtime", EPOCH) or i)
        print("%s: %s, %d libraries (%s), %.0f MB" % (args.output, args.tag, len(libs), ", ".join(libs),
                                                     os.path.getsize(args.output) / 1e6))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
