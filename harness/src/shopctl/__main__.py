from shopctl.cli import main

main()
