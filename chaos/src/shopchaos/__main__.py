from shopchaos.cli import entry

entry()
