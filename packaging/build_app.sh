#!/usr/bin/env bash
# Build the one-folder Linux x86-64 desktop app from the wheel, with PyInstaller:
#
#   packaging/build_app.sh          # -> dist/accel-explorer-VERSION-linux-x86_64/
#   packaging/build_app.sh --deb    #    and dist/accel-explorer_VERSION_amd64.deb
#   packaging/build_app.sh --tar    #    and dist/accel-explorer-VERSION-linux-x86_64.tar.gz
#
# Steps: build the wheel; install it with PyInstaller into a build venv (build/app/venv,
# reused between runs), so the app holds exactly the wheel's runtime dependencies and not
# the developer's tools; freeze packaging/accel-explorer.spec; add the docs, icons,
# launcher files and the third-party licenses. See packaging/README.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
# The app is frozen from the installed wheel only: a PYTHONPATH naming the checkout
# (as when run from the test suite) would make PyInstaller freeze the source tree,
# whose explorer/ has no package data.
unset PYTHONPATH PYTHONHOME
deb=0 tar=0
for arg in "$@"; do
  case "$arg" in
    --deb) deb=1 ;;
    --tar) tar=1 ;;
    *) echo "build_app: unknown argument $arg (use --deb, --tar)" >&2; exit 2 ;;
  esac
done
[ "$(uname -sm)" = "Linux x86_64" ] || echo "build_app: warning: built for $(uname -sm), not Linux x86_64" >&2
work="$root/build/app"
mkdir -p "$work" "$root/dist"
start=$SECONDS
step() { echo "build_app: [$((SECONDS - start)) s] $*" >&2; }
version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$root/explorer/version.py")
app_id=io.github.accel_explorer.AccelExplorer

step "building the wheel of accel-explorer $version"
rm -rf "$work/wheel"
"$python" -m build --wheel --outdir "$work/wheel" "$root" >"$work/build.log" 2>&1 \
  || { tail -30 "$work/build.log" >&2; exit 1; }
wheel=$(ls "$work"/wheel/accel_explorer-*.whl)

step "build venv $work/venv: the wheel and PyInstaller"
[ -x "$work/venv/bin/python" ] || "$python" -m venv "$work/venv"
pip=("$work/venv/bin/python" -m pip install -q --disable-pip-version-check)
"${pip[@]}" "pyinstaller>=6.10,<7" "$wheel" >"$work/pip.log" 2>&1 \
  && "${pip[@]}" --force-reinstall --no-deps "$wheel" >>"$work/pip.log" 2>&1 \
  || { tail -30 "$work/pip.log" >&2; exit 1; }

step "PyInstaller (packaging/accel-explorer.spec)"
(cd "$work" && QT_QPA_PLATFORM=offscreen "$work/venv/bin/pyinstaller" --noconfirm --clean \
   --log-level WARN --distpath "$work/dist" --workpath "$work/pyinstaller" \
   "$root/packaging/accel-explorer.spec") >"$work/pyinstaller.log" 2>&1 \
  || { tail -40 "$work/pyinstaller.log" >&2; exit 1; }

name="accel-explorer-$version-linux-x86_64"
app="$root/dist/$name"
rm -rf "$app"
mv "$work/dist/accel-explorer" "$app"

# The interpreter's own libraries may carry debug symbols (a pyenv build: ~17 MB in
# libpython alone); strip those, never the wheels' (auditwheel-patched libraries break).
{ find "$app/_internal" -maxdepth 1 -name 'libpython3*.so*' -type f
  find "$app/_internal" -path '*/python3.*/lib-dynload/*.so' -type f
} | xargs -r strip --strip-unneeded

step "docs, icons, launcher files, licenses"
cp "$root"/{README.md,LICENSE,NOTICE,CHANGELOG.md} "$app/"
# The docs live in _internal/docs, where Help > Keyboard shortcuts looks for them (beside
# the explorer package); docs/ at the top is a link for the user.
mkdir -p "$app/_internal/docs"
cp "$root"/docs/*.md "$root"/docs/*.json "$root"/docs/*.png "$app/_internal/docs/" 2>/dev/null || true
[ -d "$root/docs/validation" ] && cp -r "$root/docs/validation" "$app/_internal/docs/"
ln -sfn _internal/docs "$app/docs"
share="$app/share"
mkdir -p "$share/applications" "$share/metainfo" "$share/icons/hicolor/scalable/apps"
cp "$root/packaging/$app_id.desktop" "$share/applications/"
cp "$root/packaging/$app_id.metainfo.xml" "$share/metainfo/"
cp "$root/resources/icons/app.svg" "$share/icons/hicolor/scalable/apps/$app_id.svg"
for png in "$root"/resources/icons/app-*.png; do
  size=$(basename "$png" .png); size=${size#app-}
  mkdir -p "$share/icons/hicolor/${size}x${size}/apps"
  cp "$png" "$share/icons/hicolor/${size}x${size}/apps/$app_id.png"
done
install -m 755 "$root/packaging/install-user.sh" "$app/install-user.sh"
"$work/venv/bin/python" "$root/packaging/collect_licenses.py" "$app"

size=$(du -sm "$app" | cut -f1)
step "app folder: $app ($size MB)"
if [ "$tar" = 1 ]; then
  tar -C "$root/dist" -czf "$root/dist/$name.tar.gz" "$name"
  step "archive: dist/$name.tar.gz ($(du -sm "$root/dist/$name.tar.gz" | cut -f1) MB)"
fi
if [ "$deb" = 1 ]; then
  bash "$root/packaging/build_deb.sh" "$app" "$version"
fi
step "done"
