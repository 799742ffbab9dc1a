"""The guide's program: levels as data, the mastery rule, today's plan and the timeline."""
