nested_trap_cycles = 10000
