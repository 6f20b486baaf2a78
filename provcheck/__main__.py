from provcheck.cli import main

main()
