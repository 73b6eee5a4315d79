from articlepack.cli import main

main()
