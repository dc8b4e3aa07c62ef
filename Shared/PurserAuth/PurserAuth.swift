// PurserAuth: see the module's files.
