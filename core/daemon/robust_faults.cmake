# Robustness under faults (issue 9): ci/robust-faults against charon in
# network namespaces, one ctest per scenario; ci/robust-valgrind over the
# conformance suite and over ikelabd in the interop scripts. 77 = cannot
# run here (not root, no netns, no charon, no valgrind). Included from
# core/daemon/CMakeLists.txt.
set(IKELAB_ROBUST ${PROJECT_SOURCE_DIR}/ci/robust-faults)
set(IKELAB_VALGRIND ${PROJECT_SOURCE_DIR}/ci/robust-valgrind)
foreach(scenario send-fail-iptables send-fail-route qm-restart restart sighup)
  string(REPLACE "-" "_" name ${scenario})
  add_test(NAME robust_${name}
           COMMAND ${IKELAB_ROBUST} --only ${scenario} --ikelabd $<TARGET_FILE:ikelabd>
                   --ikelabctl $<TARGET_FILE:ikelabctl>)
  set_tests_properties(robust_${name} PROPERTIES LABELS interop SKIP_RETURN_CODE 77
                       TIMEOUT 90 RUN_SERIAL TRUE)
endforeach()

# valgrind cannot run an ASan build: a sanitized tree builds the valgrind
# preset (build/valgrind, -O1 -g) first, as a fixture; any other tree's own
# binaries serve.
if(IKELAB_SANITIZE)
  add_test(NAME robust_valgrind_build COMMAND ${IKELAB_VALGRIND} --build)
  set_tests_properties(robust_valgrind_build PROPERTIES LABELS interop SKIP_RETURN_CODE 77
                       TIMEOUT 180 FIXTURES_SETUP robust_valgrind RUN_SERIAL TRUE)
  set(vg_dir ${PROJECT_SOURCE_DIR}/build/valgrind)
  set(vg_conform ${vg_dir}/conformance/ikelab-conform)
  set(vg_ikelabd ${vg_dir}/core/daemon/ikelabd)
  set(vg_ikelabctl ${vg_dir}/core/daemon/ikelabctl)
else()
  set(vg_conform $<TARGET_FILE:ikelab-conform>)
  set(vg_ikelabd $<TARGET_FILE:ikelabd>)
  set(vg_ikelabctl $<TARGET_FILE:ikelabctl>)
endif()
# The whole conformance suite (189 cases, 7-27 s under valgrind here).
add_test(NAME robust_valgrind_conform COMMAND ${IKELAB_VALGRIND} --conform ${vg_conform})
# ikelabd through a restart (MM, QM, DPD, INITIAL-CONTACT) and 50 reloads
# under load; the other scenarios in ci/robust-faults --stress.
add_test(NAME robust_valgrind_ikelabd
         COMMAND ${IKELAB_VALGRIND} --ikelabd ${vg_ikelabd} -- ${IKELAB_ROBUST}
                 --only restart --only sighup --ikelabd ${vg_ikelabd} --ikelabctl ${vg_ikelabctl})
# ci/interop-ikelabd's two daemons (NAT-T, Aggressive Mode, a TUN trigger).
add_test(NAME robust_valgrind_interop_ikelabd
         COMMAND ${IKELAB_VALGRIND} --ikelabd ${vg_ikelabd} --
                 ${PROJECT_SOURCE_DIR}/ci/interop-ikelabd --ikelabd ${vg_ikelabd})
foreach(t robust_valgrind_conform robust_valgrind_ikelabd robust_valgrind_interop_ikelabd)
  set_tests_properties(${t} PROPERTIES LABELS interop SKIP_RETURN_CODE 77 TIMEOUT 90
                       RUN_SERIAL TRUE)
  if(IKELAB_SANITIZE)
    set_tests_properties(${t} PROPERTIES FIXTURES_REQUIRED robust_valgrind)
  endif()
endforeach()
