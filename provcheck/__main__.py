from provcheck.cli import run

run()
