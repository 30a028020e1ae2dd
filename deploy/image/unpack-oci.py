#!/usr/bin/env python3
"""Unpacks the image of an OCI image tarball (Jib's warden-image.tar) into a root file system, layer
by layer with whiteouts applied, and prints its config as JSON: what a container runtime would
run, for checking an image on a machine without one (deploy/image/check-image.sh).

    deploy/image/unpack-oci.py warden-cli/target/warden-image.tar ROOTFS > config.json
"""
import json
import os
import shutil
import sys
import tarfile


def blob(tar, digest):
    return tar.extractfile("blobs/sha256/" + digest.split(":", 1)[1])


def main():
    image, rootfs = sys.argv[1], sys.argv[2]
    with tarfile.open(image) as tar:
        index = json.load(tar.extractfile("index.json"))
        manifest = json.load(blob(tar, index["manifests"][0]["digest"]))
        config = json.load(blob(tar, manifest["config"]["digest"]))
        os.makedirs(rootfs, exist_ok=True)
        for layer in manifest["layers"]:
            with tarfile.open(fileobj=blob(tar, layer["digest"]), mode="r:*") as lt:
                members = []
                for m in lt.getmembers():
                    name = os.path.normpath(m.name).lstrip("/")
                    base = os.path.basename(name)
                    if base.startswith(".wh."):
                        gone = os.path.join(rootfs, os.path.dirname(name), base[4:])
                        if os.path.isdir(gone) and not os.path.islink(gone):
                            shutil.rmtree(gone)
                        elif os.path.lexists(gone):
                            os.remove(gone)
                        continue
                    members.append(m)
                # our own image: modes (setgid, sticky, group write) are kept as the runtime would keep them
                lt.extractall(rootfs, members=members, numeric_owner=True, filter="fully_trusted")
    json.dump(config, sys.stdout, indent=2)


if __name__ == "__main__":
    main()
