#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build of ikelab's fuzz targets. It uses only
# what OSS-Fuzz sets: $CC, $CFLAGS, $LIB_FUZZING_ENGINE, $SRC, $WORK, $OUT
# ($OPENSSL_ROOT_DIR when OpenSSL 3 is not the system's: the Dockerfile's
# /opt/openssl). Into $OUT: each target, <target>_seed_corpus.zip,
# <target>.dict and <target>.options, and lib/ with the shared libraries
# the runner image lacks (found through the binaries' $ORIGIN/lib rpath).
src=${IKELAB_SRC:-$SRC/ikelab}
[ -d "$src/harness" ] || src=$(pwd)
build=$WORK/ikelab-build
openssl=()
if [ -n "${OPENSSL_ROOT_DIR:-}" ]; then
  openssl=(-DOPENSSL_ROOT_DIR="$OPENSSL_ROOT_DIR" -DOPENSSL_USE_STATIC_LIBS=TRUE)
elif [ -d /opt/openssl ]; then
  openssl=(-DOPENSSL_ROOT_DIR=/opt/openssl -DOPENSSL_USE_STATIC_LIBS=TRUE)
fi

cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS" \
  -DCMAKE_EXE_LINKER_FLAGS='-Wl,-rpath,$ORIGIN/lib' \
  -DIKELAB_FUZZ_ENGINE=external -DIKELAB_FUZZ_LINK="$LIB_FUZZING_ENGINE" \
  -DIKELAB_SANITIZE=OFF -DIKELAB_WERROR=OFF -DIKELAB_TESTS=OFF "${openssl[@]}"

# Every target harness/CMakeLists.txt builds (IKELAB_FUZZ_TARGETS).
mapfile -t targets < <(sed -n '/^set(IKELAB_FUZZ_TARGETS/,/)/p' "$src/harness/CMakeLists.txt" |
  tr -d '()' | tr -s ' \n' '\n' | grep '^fuzz_')
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"

mkdir -p "$OUT/lib"
for t in "${targets[@]}"; do
  name=${t#fuzz_}
  cp "$build/harness/$t" "$OUT/"
  rm -f "$OUT/${t}_seed_corpus.zip"
  (cd "$src/corpus/$name" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
  [ -f "$src/corpus/$name.dict" ] && cp "$src/corpus/$name.dict" "$OUT/$t.dict"
  {
    echo "[libfuzzer]"
    [ -f "$src/corpus/$name.dict" ] && echo "dict = $t.dict"
    case $name in
      responder) echo "max_len = 8192" ;;
      isakmp_decode) echo "max_len = 4096" ;;
    esac
  } >"$OUT/$t.options"
  # Libraries outside glibc and the toolchain go along (json-c, inih).
  ldd "$OUT/$t" | awk '$3 ~ /^\// {print $3}' | while read -r lib; do
    [ -e "$OUT/lib/$(basename "$lib")" ] && continue
    case $(basename "$lib") in
      libc.so*|libm.so*|libpthread.so*|libdl.so*|librt.so*|ld-linux*|libgcc_s.so*|libstdc++.so*) ;;
      *) cp -L "$lib" "$OUT/lib/" ;;
    esac
  done
done
