"""Missions: the phases of a flight assembled from plant, navigation, guidance and control."""
