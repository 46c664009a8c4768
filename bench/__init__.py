"""`make bench`: the project's benchmarks, one module per section.

`python -m bench [--smoke]` runs every section in a child process of its own (so one section's
imports and memory do not colour another's figures), collects what each reports and writes
`bench/results.md` (the tables) and `bench/results.json` (the same figures as data). See
`bench/README.md` for what each figure means.

A section is a module with `run(smoke: bool) -> Section` and `if __name__ == "__main__":
section_main(run)`; `--smoke` runs it at tiny sizes so CI proves it still works, with no
timing assertions.
"""
