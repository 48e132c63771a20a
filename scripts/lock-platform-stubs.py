#!/usr/bin/env python3
"""Adds lockfile entries for optional platform binaries (other OSes and CPUs) that this machine's registry
mirror cannot serve, so `npm install` leaves them out and `npm ci` then refuses the lockfile. Each stub names
its os/cpu, so npm skips it on any other platform without fetching it. Run after `npm install`."""
import json, re, sys

path = sys.argv[1] if len(sys.argv) > 1 else 'package-lock.json'
lock = json.load(open(path))
pkgs = lock['packages']
OS = ['darwin', 'win32', 'android', 'freebsd', 'linux', 'openbsd', 'sunos', 'aix', 'openharmony', 'wasm32']
CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'loong64', 'riscv64', 'mips64el']
added = 0
for key, meta in list(pkgs.items()):
    for dep, ver in (meta.get('optionalDependencies') or {}).items():
        base = key + '/node_modules/' + dep if key else 'node_modules/' + dep
        if base in pkgs or 'node_modules/' + dep in pkgs:
            continue
        name = dep.split('/')[-1]
        os_ = next((o for o in OS if re.search(r'(^|-)' + o + r'(-|$)', name)), None)
        cpu = next((c for c in CPU if re.search(r'(^|-)' + c + r'(-|$)', name)), None)
        if os_ is None and cpu is None:
            continue
        entry = {'version': ver.lstrip('^~='), 'optional': True}
        if meta.get('dev'):
            entry['dev'] = True
        if os_:
            entry['os'] = [os_ if os_ != 'wasm32' else 'none']
        if cpu:
            entry['cpu'] = [cpu]
        if 'musl' in name:
            entry['libc'] = ['musl']
        elif os_ == 'linux' and 'gnu' in name:
            entry['libc'] = ['glibc']
        pkgs['node_modules/' + dep] = entry
        added += 1
lock['packages'] = dict(sorted(pkgs.items(), key=lambda kv: (kv[0] != '', kv[0])))
json.dump(lock, open(path, 'w'), indent=2)
open(path, 'a').write('\n')
print(f'added {added} platform stubs')
