# `make test`: build everything, then run the steps in tests/suite (host unit
# tests, make check, boot stages with SMP=1 and 4) through tests/run, which
# ends with exactly one line "N passed, N failed".

# Not $(MAKE) in the recipe: that would run the whole suite under `make -n`.
TEST_MAKE = $(MAKE)

test: all
	$(Q)MAKE="$(TEST_MAKE)" PYTHON="$(PYTHON)" $(PYTHON) tests/run \
		--host-tests "$(HOST_TESTS)" tests/suite
