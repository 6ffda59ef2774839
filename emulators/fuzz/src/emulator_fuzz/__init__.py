"""Fuzz targets for the emulators' parsers (AMQP codec, framing, handshake, Service Bus SQL filters).

Every target is a plain function of one ``bytes`` input that returns normally for any input the layer
handles as documented and raises anything else: `targets.TARGETS` lists them, `runner` drives them
under atheris, `corpus` finds their seed and crash files.
"""
