import { describeAdapterConformance } from '@sessions/testing';
import express from 'express';
import express4 from 'express4';
import { scenarioApp } from './express-driver.js';

// The same scenario list every adapter passes, on both supported Express majors.
describeAdapterConformance({ name: 'express 5', createApp: scenarioApp(express) });
describeAdapterConformance({ name: 'express 4', createApp: scenarioApp(express4) });
