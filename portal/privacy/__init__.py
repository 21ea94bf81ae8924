"""KVKK (Law 6698): a person's data export, the anonymisation of a person, and the retention
rules' periodic destruction. They read and write across the apps, so they live in the
composition layer."""
