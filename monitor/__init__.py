"""The monitor, one room per job: cli/, run/, judge/, digest/, outputs/, evidence/."""
