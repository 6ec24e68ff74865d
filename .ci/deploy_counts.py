# Run by `keiyaku-manage shell -c` in the CI deploy job: rows per model and every stored file's
# SHA-256, read through the configured storage (the bucket), as JSON.
import hashlib
import json

from django.apps import apps
from django.core.files.storage import default_storage

from core.backup import walk_storage

rows = {m._meta.label: m._base_manager.count() for m in apps.get_models() if m._meta.managed}
files = {}
for name in walk_storage():
    with default_storage.open(name, "rb") as fh:
        files[name] = hashlib.sha256(fh.read()).hexdigest()
print(json.dumps({"rows": rows, "files": files}, sort_keys=True))
