from habitcore_cli.app import main

main()
