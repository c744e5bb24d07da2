"""Scrapy project: settings, items, pipelines and one spider per Prakerja platform."""
