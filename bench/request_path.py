"""The code one request runs, from coverage runs that differ only in how many such requests they make.

    request_path.py NAME FEWER.xml MORE.xml DELTA

Each argument pair is a Cobertura report (coverlet) of RequestPathProbeTests. A line belongs to the request's path
when its hits grew by at least DELTA between the two runs, so start-up, first-call and background work fall out.
Prints the files, the lines run per request and each file's length, then the Lua files of the Redis scripts that
those lines call (RedisScripts.Embedded.X, composed in RedisScripts.cs).
"""
import re
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIBRARIES = ("Gateway.Middleware/", "Gateway/", "Shared/")


def hits(report):
    counts = defaultdict(int)
    for cls in ET.parse(report).getroot().iter("class"):
        name = cls.get("filename").replace("\\", "/")
        if name.startswith(LIBRARIES):
            for line in cls.iter("line"):
                counts[(name, int(line.get("number")))] += int(line.get("hits"))
    return counts


def lua_files(executed_text):
    scripts_path = ROOT / "Gateway.Middleware/Store/Redis/RedisScripts.cs"
    if not scripts_path.exists():  # a build from before the scripts were .lua files
        return [], []
    scripts_cs = scripts_path.read_text()
    files = dict(re.findall(r'public const string (\w+) = "([\w.]+\.lua)";', scripts_cs))
    compositions = {name: re.findall(r"Files\.(\w+)", parts) for name, parts in re.findall(r"(\w+) = Compose\(([^)]*)\);", scripts_cs)}
    used = sorted(set(re.findall(r"RedisScripts\.Embedded\.(\w+)", executed_text)))
    return used, sorted({files[part] for script in used for part in compositions.get(script, [])})


def main(name, fewer, more, delta):
    before, after = hits(fewer), hits(more)
    per_file = defaultdict(list)
    for key, count in after.items():
        if count - before.get(key, 0) >= delta:
            per_file[key[0]].append(key[1])

    executed_text = ""
    print(f"## {name}\n")
    print("| file | lines run per request | file length |")
    print("| --- | ---: | ---: |")
    total_run = total_length = 0
    for file in sorted(per_file):
        source = (ROOT / file).read_text().splitlines()
        executed_text += "\n".join(source[n - 1] for n in per_file[file]) + "\n"
        total_run += len(per_file[file])
        total_length += len(source)
        print(f"| `{file}` | {len(per_file[file])} | {len(source)} |")
    print(f"| **{len(per_file)} C# files** | **{total_run}** | **{total_length}** |")

    scripts, lua = lua_files(executed_text)
    lua_length = sum(len((ROOT / "Gateway.Middleware/Store/Redis/Lua" / f).read_text().splitlines()) for f in lua)
    print(f"\nRedis scripts run: {', '.join(scripts) or 'none'}; their Lua files: {', '.join(lua) or 'none'} ({lua_length} lines).")
    folders = sorted({str(Path(f).parent) for f in per_file} | ({"Gateway.Middleware/Store/Redis/Lua"} if lua else set()))
    print(f"Folders: {len(folders)} ({', '.join(folders)}).\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
