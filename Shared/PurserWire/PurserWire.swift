// PurserWire: see the module's files.
